using CsCheck;
using KubeMacPool.Core.Pool;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Core.Tests.Pool;

public class TransactionTimestampTests
{
    [Fact]
    public void The_kept_value_is_the_one_parsed_back_from_the_text()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567));
        var stamp = TransactionTimestamp.Now(time);
        Assert.Equal("2026-03-04T05:06:07.1234567Z", stamp.Text);
        Assert.Equal(TransactionTimestamp.Parse(stamp.Text), stamp.Value);
    }

    [Theory]
    [InlineData("2026-03-04T05:06:07Z", 0)]
    [InlineData("2026-03-04T05:06:07.5Z", 5_000_000)]
    [InlineData("2026-03-04T05:06:07.123456789Z", 1_234_567)]
    [InlineData("2026-03-04T07:06:07.1+02:00", 1_000_000)]
    public void Parses_go_rfc3339nano_values(string text, long extraTicks) =>
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(extraTicks), TransactionTimestamp.Parse(text));

    [Theory]
    [InlineData(0, "2026-03-04T05:06:07Z")]
    [InlineData(1_000_000, "2026-03-04T05:06:07.1Z")]
    [InlineData(1_200_000, "2026-03-04T05:06:07.12Z")]
    [InlineData(10, "2026-03-04T05:06:07.000001Z")]
    [InlineData(1, "2026-03-04T05:06:07.0000001Z")]
    public void Writes_go_style_rfc3339nano_with_trailing_zeros_trimmed(long extraTicks, string expected) =>
        Assert.Equal(expected, TransactionTimestamp.Format(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(extraTicks)));

    [Fact]
    public void Writes_utc_whatever_the_offset() =>
        Assert.Equal("2026-03-04T05:06:07.5Z", TransactionTimestamp.Format(new DateTimeOffset(2026, 3, 3, 23, 36, 7, 500, TimeSpan.FromHours(-5.5))));

    [Theory]
    [InlineData("2026-03-04T00:36:07.25-04:30", 2_500_000)]
    [InlineData("2026-03-04T05:06:07.000000001Z", 0)]
    [InlineData("2026-03-04T05:06:07.000000099Z", 0)]
    [InlineData("2026-03-04T05:06:07.0000001Z", 1)]
    [InlineData("2026-03-04T05:06:07+00:00", 0)]
    public void Parses_offsets_and_truncates_below_a_tick(string text, long extraTicks) =>
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(extraTicks), TransactionTimestamp.Parse(text));

    [Fact]
    public void What_is_written_parses_back_to_the_same_instant()
    {
        Gen.Select(Gen.Long[0, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay], Gen.Int[-14 * 60, 14 * 60]).Sample((ticks, offsetMinutes) =>
        {
            var value = new DateTimeOffset(ticks + TimeSpan.TicksPerDay, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
            var text = TransactionTimestamp.Format(value);
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            var trimmed = dot < 0 || (text.Length - dot - 2 > 0 && text[^2] != '0');
            return TransactionTimestamp.Parse(text) == value && text.EndsWith('Z') && trimmed;
        });
    }

    [Fact]
    public void Now_keeps_exactly_what_its_text_parses_back_to_at_any_instant_and_offset()
    {
        // Now takes the value from the clock's ticks instead of parsing its text: the two must never differ.
        Gen.Select(Gen.Long[0, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay], Gen.Int[-14 * 60, 14 * 60]).Sample((ticks, offsetMinutes) =>
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(ticks + TimeSpan.TicksPerDay, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes)));
            var stamp = TransactionTimestamp.Now(clock);
            return TransactionTimestamp.Parse(stamp.Text) is { } parsed && parsed == stamp.Value && parsed.Offset == stamp.Value.Offset;
        });
    }

    [Fact]
    public void A_stamp_keeps_the_value_its_text_carries_not_the_finer_clock()
    {
        // The text keeps every tick, so the kept value is the clock's instant, in UTC.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(9_876_543));
        var stamp = TransactionTimestamp.Now(time);
        Assert.Equal(TimeSpan.Zero, stamp.Value.Offset);
        Assert.Equal(stamp.Value, TransactionTimestamp.Parse(stamp.Text));
        Assert.Equal(time.GetUtcNow(), stamp.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-03-04 05:06:07Z")]
    [InlineData("2026-03-04T05:06:07")]
    [InlineData("2026-03-04T05:06:07.Z")]
    [InlineData("yesterday")]
    [InlineData("2026-13-04T05:06:07Z")]
    public void Refuses_what_is_not_a_timestamp(string text) => Assert.Null(TransactionTimestamp.Parse(text));

    [Fact]
    public void Whole_seconds_are_written_without_a_fraction() =>
        Assert.Equal("2026-03-04T05:06:07Z", TransactionTimestamp.Format(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero)));
}
