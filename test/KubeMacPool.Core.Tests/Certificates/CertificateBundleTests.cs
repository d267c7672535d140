using KubeMacPool.Core.Certificates;

namespace KubeMacPool.Core.Tests.Certificates;

public class CertificateBundleTests
{
    private static readonly DateTimeOffset Now = new(2030, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Ca(string Id, DateTimeOffset NotBefore, DateTimeOffset NotAfter)
    {
        public ValidityWindow Window => new(NotBefore, NotAfter);
    }

    private static IReadOnlyList<Ca> Compose(Ca current, params Ca[] others) =>
        CertificateBundle.Compose(current, others, c => c.Window, c => c.Id, Now);

    [Fact]
    public void The_current_ca_comes_first_then_the_valid_older_ones_newest_first()
    {
        var current = new Ca("c", Now, Now.AddDays(365));
        var older = new Ca("b", Now.AddDays(-364), Now.AddDays(1));
        var oldest = new Ca("a", Now.AddDays(-700), Now.AddDays(2));
        Assert.Equal(["c", "b", "a"], Compose(current, oldest, older).Select(c => c.Id));
    }

    [Fact]
    public void Expired_cas_are_pruned_and_duplicates_kept_once()
    {
        var current = new Ca("c", Now, Now.AddDays(365));
        var expired = new Ca("x", Now.AddDays(-400), Now);
        var older = new Ca("b", Now.AddDays(-364), Now.AddSeconds(1));
        Assert.Equal(["c", "b"], Compose(current, expired, older, older, current).Select(c => c.Id));
    }

    [Fact]
    public void The_bundle_is_capped()
    {
        var current = new Ca("current", Now, Now.AddDays(365));
        var many = Enumerable.Range(0, 250).Select(i => new Ca($"old-{i:D3}", Now.AddMinutes(-i - 1), Now.AddDays(1))).ToArray();
        var bundle = Compose(current, many);
        Assert.Equal(CertificateBundle.MaxCertificates, bundle.Count);
        Assert.Equal("current", bundle[0].Id);
        Assert.Equal("old-000", bundle[1].Id);
    }
}
