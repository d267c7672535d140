using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Core.Tests.Addressing;

public class ReservedMacsTests
{
    private static MacAddress Mac(string text) => MacAddress.Parse(text);

    private static MacRange Range(string start, string end) =>
        MacRange.TryParse(start, end, out var range, out var error) ? range : throw new InvalidOperationException(error);

    [Fact]
    public void Accepts_every_mac_spelling_ranges_separators_and_comments()
    {
        var reserved = ReservedMacs.Parse("""
            02:00:00:00:00:00            # KubeVirt's masquerade bridge
            02-00-00-00-01-AA, 0200.0000.02ff; 02:00:00:00:10:00..02-00-00-00-10-0f
            02:00:00:00:20:00-02:00:00:00:20:01
            """);
        Assert.Equal(5, reserved.EntryCount);
        Assert.True(reserved.Contains(Mac("02:00:00:00:00:00")));
        Assert.True(reserved.Contains(Mac("02:00:00:00:01:aa")));
        Assert.True(reserved.Contains(Mac("02:00:00:00:02:FF")));
        Assert.True(reserved.Contains(Mac("02:00:00:00:10:07")));
        Assert.True(reserved.Contains(Mac("02:00:00:00:20:01")));
        Assert.False(reserved.Contains(Mac("02:00:00:00:10:10")));
        Assert.False(reserved.Contains(Mac("02:00:00:00:00:01")));
        Assert.Equal(
            ["02:00:00:00:00:00", "02:00:00:00:01:aa", "02:00:00:00:02:ff", "02:00:00:00:10:00..02:00:00:00:10:0f", "02:00:00:00:20:00..02:00:00:00:20:01"],
            reserved.Describe());
    }

    [Theory]
    [InlineData("02:00:00:00:00:0g", "invalid RESERVED_MACS entry \"02:00:00:00:00:0g\": address 02:00:00:00:00:0g: invalid MAC address")]
    [InlineData("02:00:00:00:00:09..02:00:00:00:00:01", "invalid RESERVED_MACS entry \"02:00:00:00:00:09..02:00:00:00:00:01\": range start 02:00:00:00:00:09 is after its end 02:00:00:00:00:01")]
    [InlineData("02:00:00:00:00:01..", "invalid RESERVED_MACS entry \"02:00:00:00:00:01..\": address : invalid MAC address")]
    [InlineData("ok, nope", "invalid RESERVED_MACS entry \"ok\": address ok: invalid MAC address")]
    public void Refuses_bad_entries_with_the_entry_and_the_reason(string text, string expected)
    {
        Assert.False(ReservedMacs.TryParse(text, out var reserved, out var error));
        Assert.Null(reserved);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n # nothing reserved\n")]
    [InlineData(null)]
    public void Blank_text_reserves_nothing(string? text)
    {
        Assert.True(ReservedMacs.TryParse(text, out var reserved, out _));
        Assert.True(reserved.IsEmpty);
        Assert.False(reserved.Contains(Mac("02:00:00:00:00:00")));
    }

    [Fact]
    public void The_default_is_kubevirts_masquerade_bridge_mac()
    {
        Assert.True(ReservedMacs.KubeVirtDefault.Contains(Mac("02:00:00:00:00:00")));
        Assert.Equal(1, ReservedMacs.KubeVirtDefault.EntryCount);
    }

    [Fact]
    public void Overlapping_and_adjacent_entries_merge_and_a_refusal_names_the_first_entry_covering_the_mac()
    {
        var reserved = ReservedMacs.Parse("02:00:00:00:00:05..02:00:00:00:00:09, 02:00:00:00:00:0a, 02:00:00:00:00:08..02:00:00:00:00:0c");
        Assert.Equal(1, reserved.IntervalCount);
        Assert.Equal((0x02_00_00_00_00_05UL, 0x02_00_00_00_00_0CUL), reserved.Interval(reserved.NextInterval(0x02_00_00_00_00_06)));
        Assert.Equal(0, reserved.NextInterval(0x02_00_00_00_00_00, guess: 0));
        Assert.Equal(-1, reserved.NextInterval(0x02_00_00_00_00_0D));
        Assert.Equal(-1, reserved.NextInterval(0x02_00_00_00_00_0D, guess: 0));
        Assert.Equal("02:00:00:00:00:08..02:00:00:00:00:0c", reserved.EntryOf(Mac("02:00:00:00:00:0a")));
        Assert.Equal("02:00:00:00:00:05..02:00:00:00:00:09", reserved.EntryOf(Mac("02:00:00:00:00:07")));
        Assert.Null(reserved.EntryOf(Mac("02:00:00:00:00:04")));
    }

    [Fact]
    public void Counts_only_what_lies_inside_a_range()
    {
        var reserved = ReservedMacs.Parse("01:ff:ff:ff:ff:f0..02:00:00:00:00:01, 02:00:00:00:00:80, 02:00:00:00:00:fe..02:00:00:00:01:10");
        var range = Range("02:00:00:00:00:00", "02:00:00:00:00:ff");
        Assert.Equal(2UL + 1 + 2, reserved.CountIn(range));
        Assert.Equal(
            [(0x02_00_00_00_00_00UL, 0x02_00_00_00_00_01UL), (0x02_00_00_00_00_80UL, 0x02_00_00_00_00_80UL), (0x02_00_00_00_00_feUL, 0x02_00_00_00_00_ffUL)],
            reserved.IntervalsIn(range));
    }
}
