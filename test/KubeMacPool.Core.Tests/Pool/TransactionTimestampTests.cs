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
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-13-04T05:06:07Z")]
    public void Refuses_what_is_not_a_timestamp(string text) => Assert.Null(TransactionTimestamp.Parse(text));

    [Fact]
    public void Whole_seconds_are_written_without_a_fraction() =>
        Assert.Equal("2026-03-04T05:06:07Z", TransactionTimestamp.Format(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero)));
}
