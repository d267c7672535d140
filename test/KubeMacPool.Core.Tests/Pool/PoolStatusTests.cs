using KubeMacPool.Core.Pool;

namespace KubeMacPool.Core.Tests.Pool;

public class PoolStatusTests
{
    private static readonly PoolStatus Sample = new()
    {
        RangeStart = "02:00:00:00:00:00",
        RangeEnd = "02:ff:ff:ff:ff:ff",
        Size = 1UL << 40,
        Held = 3,
        Pending = 1,
        Free = (1UL << 40) - 4,
        Reserved = 1,
        ReservedEntries = 1,
        Collisions = 2,
        Ready = false,
        NotReadyReason = "pool manager not ready: rebuilding from the cluster",
        Publisher = "kubemacpool-mac-controller-manager-0",
        Replicas = 1,
        Updated = new DateTimeOffset(2026, 11, 29, 21, 30, 5, TimeSpan.Zero),
    };

    [Fact]
    public void Published_data_reads_back_as_the_same_status()
    {
        var data = Sample.ToData();
        Assert.Equal("1099511627776", data["size"]);
        Assert.Equal("false", data["ready"]);
        Assert.Equal("2026-11-29T21:30:05Z", data["updated"]);
        Assert.True(PoolStatus.TryParse(data, out var read, out var error), error);
        Assert.Equal(Sample, read);
    }

    [Theory]
    [InlineData("held", null, "field \"held\" missing or invalid")]
    [InlineData("size", "lots", "field \"size\" missing or invalid")]
    [InlineData("updated", "yesterday", "field \"updated\" missing or invalid")]
    public void Missing_or_garbled_fields_are_named(string key, string? value, string expected)
    {
        var data = Sample.ToData();
        if (value is null)
        {
            data.Remove(key);
        }
        else
        {
            data[key] = value;
        }

        Assert.False(PoolStatus.TryParse(data, out var status, out var error));
        Assert.Null(status);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void No_data_at_all_is_an_error_not_an_exception() =>
        Assert.False(PoolStatus.TryParse(null, out _, out _));
}
