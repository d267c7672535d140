using KubeMacPool.Core.Certificates;
using Microsoft.Extensions.Time.Testing;

namespace KubeMacPool.Core.Tests.Certificates;

public class ValidityWindowTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Issued_certificates_are_back_dated_for_clock_skew_and_live_their_lifetime()
    {
        var window = ValidityWindow.Issue(Start, TimeSpan.FromHours(10));
        Assert.Equal(Start - ValidityWindow.ClockSkewAllowance, window.NotBefore);
        Assert.Equal(Start + TimeSpan.FromHours(10), window.NotAfter);
    }

    [Fact]
    public void A_certificate_never_outlives_its_issuer()
    {
        var ca = ValidityWindow.Issue(Start, TimeSpan.FromHours(10));
        var late = ValidityWindow.Issue(Start + TimeSpan.FromHours(8), TimeSpan.FromHours(5), ca);
        Assert.Equal(ca.NotAfter, late.NotAfter);
        var early = ValidityWindow.Issue(Start, TimeSpan.FromHours(1), ca);
        Assert.Equal(ca.NotBefore, early.NotBefore);
    }

    [Fact]
    public void The_rotation_deadline_is_one_overlap_before_expiry()
    {
        var time = new FakeTimeProvider(Start);
        var window = ValidityWindow.Issue(time.GetUtcNow(), TimeSpan.FromHours(4380));
        var overlap = TimeSpan.FromHours(24);
        Assert.Equal(Start + TimeSpan.FromHours(4380 - 24), window.RotationDeadline(overlap));

        time.Advance(TimeSpan.FromHours(4380 - 24) - TimeSpan.FromSeconds(1));
        Assert.False(window.IsDue(time.GetUtcNow(), overlap));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(window.IsDue(time.GetUtcNow(), overlap));
        Assert.False(window.IsExpired(time.GetUtcNow()));
        time.Advance(overlap);
        Assert.True(window.IsExpired(time.GetUtcNow()));
    }
}
