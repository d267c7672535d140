using KubeMacPool.Core.Certificates;

namespace KubeMacPool.Core.Tests.Certificates;

public class GoDurationTests
{
    [Theory]
    [InlineData("8760h0m0s", 8760 * 3600.0)]
    [InlineData("4380h0m0s", 4380 * 3600.0)]
    [InlineData("24h0m0s", 86400.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("1.5h", 5400.0)]
    [InlineData("90s", 90.0)]
    [InlineData("2m3.5s", 123.5)]
    [InlineData("500ms", 0.5)]
    [InlineData("250us", 0.00025)]
    [InlineData("250µs", 0.00025)]
    [InlineData("0", 0.0)]
    [InlineData("+5s", 5.0)]
    [InlineData("-5s", -5.0)]
    [InlineData(" 10s ", 10.0)]
    public void Parses_go_durations(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("", "empty duration")]
    [InlineData(null, "empty duration")]
    [InlineData("10", "missing unit after \"10\"")]
    [InlineData("10d", "unknown unit \"d\"")]
    [InlineData("1y", "unknown unit \"y\"")]
    [InlineData("h", "expected a number at \"h\"")]
    [InlineData("1..5s", "expected a number")]
    [InlineData("-", "invalid duration \"-\"")]
    [InlineData("99999999999999h", "too large")]
    [InlineData("24 h", "unknown unit \" h\"")]
    public void Refuses_what_go_refuses_with_a_clear_message(string? text, string expected)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8760 * 3600.0, "8760h0m0s")]
    [InlineData(86400.0, "24h0m0s")]
    [InlineData(90.0, "1m30s")]
    [InlineData(5.0, "5s")]
    [InlineData(2.5, "2.5s")]
    [InlineData(0.0, "0s")]
    public void Formats_as_go_does(double seconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Format_and_parse_round_trip()
    {
        foreach (var seconds in new[] { 1, 59, 61, 3599, 3601, 86399, 31_536_000 })
        {
            var duration = TimeSpan.FromSeconds(seconds);
            Assert.True(GoDuration.TryParse(GoDuration.Format(duration), out var parsed, out _));
            Assert.Equal(duration, parsed);
        }
    }
}
