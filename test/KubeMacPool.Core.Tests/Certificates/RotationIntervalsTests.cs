using KubeMacPool.Core.Certificates;

namespace KubeMacPool.Core.Tests.Certificates;

public class RotationIntervalsTests
{
    [Fact]
    public void Defaults_are_upstreams_manifest_values()
    {
        Assert.True(RotationIntervals.TryParse(null, null, null, null, out var intervals, out var errors), string.Join("; ", errors));
        Assert.Equal(TimeSpan.FromDays(365), intervals!.CaRotate);
        Assert.Equal(TimeSpan.FromDays(1), intervals.CaOverlap);
        Assert.Equal(TimeSpan.FromHours(4380), intervals.CertRotate);
        Assert.Equal(TimeSpan.FromDays(1), intervals.CertOverlap);
    }

    [Fact]
    public void Manifest_style_values_parse()
    {
        Assert.True(RotationIntervals.TryParse("8760h0m0s", "24h0m0s", "4380h0m0s", "24h0m0s", out var intervals, out _));
        Assert.Equal(RotationIntervals.Default, intervals);
        Assert.True(RotationIntervals.TryParse("40s", "15s", "12s", "4s", out var fast, out _));
        Assert.Equal(TimeSpan.FromSeconds(4), fast!.CertOverlap);
    }

    [Theory]
    [InlineData("1y", null, null, null, "CA_ROTATE_INTERVAL: invalid duration \"1y\": unknown unit \"y\"")]
    [InlineData(null, "abc", null, null, "CA_OVERLAP_INTERVAL: invalid duration \"abc\"")]
    [InlineData(null, null, "0", null, "CERT_ROTATE_INTERVAL must be a positive duration")]
    [InlineData(null, null, null, "-1h", "CERT_OVERLAP_INTERVAL must be a positive duration")]
    [InlineData("24h", "24h", "1h", "1m", "CA_OVERLAP_INTERVAL (24h0m0s) must be shorter than CA_ROTATE_INTERVAL (24h0m0s)")]
    [InlineData("24h", "48h", "1h", "1m", "CA_OVERLAP_INTERVAL (48h0m0s) must be shorter than CA_ROTATE_INTERVAL (24h0m0s)")]
    [InlineData("24h", "1h", "2h", "3h", "CERT_OVERLAP_INTERVAL (3h0m0s) must be shorter than CERT_ROTATE_INTERVAL (2h0m0s)")]
    [InlineData("24h", "1h", "25h", "1h", "CERT_ROTATE_INTERVAL (25h0m0s) must not be longer than CA_ROTATE_INTERVAL (24h0m0s)")]
    [InlineData("1m", "2s", "30s", "5s", "CA_OVERLAP_INTERVAL (2s) must be at least 5s")]
    public void Bad_values_are_refused_naming_the_setting(string? caRotate, string? caOverlap, string? certRotate, string? certOverlap, string expected)
    {
        Assert.False(RotationIntervals.TryParse(caRotate, caOverlap, certRotate, certOverlap, out var intervals, out var errors));
        Assert.Null(intervals);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        Assert.False(RotationIntervals.TryParse("x", "y", "z", "w", out _, out var errors));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Cert_rotate_may_equal_ca_rotate() =>
        Assert.Empty(new RotationIntervals(TimeSpan.FromHours(10), TimeSpan.FromHours(1), TimeSpan.FromHours(10), TimeSpan.FromHours(1)).Validate());
}
