using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Collisions;

/// <summary>
/// The scenarios upstream runs twice, once for VMIs (spec §8.1 B) and once for pods (§8.1 C): same MAC on two and
/// three objects, in and out of the range, partial and multiple collisions, clearing on delete, opt-in namespaces.
/// A subclass says how to make one running object of its kind and which MACs its scenarios use.
/// </summary>
public abstract class SameKindCollisionTests(ClusterFixture cluster, CollisionServiceFixture fixture) : IAsyncLifetime
{
    protected TestCluster K { get; } = new(cluster, TestContext.Current.CancellationToken);

    protected CollisionServiceFixture Fixture => fixture;

    protected CollisionScenario S { get; private set; } = null!;

    protected TestNamespace Test { get; private set; } = null!;

    protected TestNamespace Other { get; private set; } = null!;

    /// <summary><c>vmi</c> or <c>pod</c>: the object names' prefix.</summary>
    protected abstract string Kind { get; }

    /// <summary>The opt-mode label of the webhook that manages this kind.</summary>
    protected abstract string Webhook { get; }

    /// <summary>Octets 2–5 of this kind's MACs (distinct per kind so the two classes never share one).</summary>
    protected abstract string MacMiddle { get; }

    protected abstract Task<RunningObject> RunningAsync(string ns, string name, params (string Network, string Mac)[] nics);

    protected string Mac(int last, string first = "02") => $"{first}:{MacMiddle}:{last:x2}";

    public async ValueTask InitializeAsync()
    {
        S = new CollisionScenario(K, fixture);
        Test = await K.CreateNamespaceAsync(prefix: $"kmp-{Kind}");
        Other = await K.CreateNamespaceAsync(prefix: $"kmp-{Kind}-alt");
        await CollisionScenario.SettleAsync();
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return K.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_objects_with_the_same_in_range_mac_are_admitted_and_collide(bool hyphenated)
    {
        var mac = Mac(0x01);
        var a = await RunningAsync(Test.Name, $"{Kind}-a", ("nad1", mac));
        var b = await RunningAsync(Test.Name, $"{Kind}-b", ("nad2", hyphenated ? mac.Replace(':', '-') : mac));
        await S.ExpectEventsAsync(mac, a, b);
        await S.ExpectGaugeAsync(mac, 2);
    }

    [Fact]
    public async Task An_out_of_range_mac_collides_too()
    {
        var mac = Mac(0x00, first: "06");
        var a = await RunningAsync(Test.Name, $"{Kind}-a", ("nad1", mac));
        var b = await RunningAsync(Test.Name, $"{Kind}-b", ("nad1", mac));
        await S.ExpectEventsAsync(mac, a, b);
        await S.ExpectGaugeAsync(mac, 2);
    }

    [Fact]
    public async Task Three_objects_with_one_mac_are_listed_together()
    {
        var mac = Mac(0x10);
        var a = await RunningAsync(Test.Name, $"{Kind}-a", ("nad1", mac));
        var b = await RunningAsync(Test.Name, $"{Kind}-b", ("nad1", mac));
        var c = await RunningAsync(Test.Name, $"{Kind}-c", ("nad1", mac));
        await S.ExpectEventsAsync(mac, a, b, c);
        await S.ExpectGaugeAsync(mac, 3);
    }

    [Fact]
    public async Task Only_the_shared_mac_of_multi_network_objects_collides()
    {
        var a = await RunningAsync(Test.Name, $"{Kind}-a", ("net1", Mac(0x20)), ("net2", Mac(0x21)));
        var b = await RunningAsync(Test.Name, $"{Kind}-b", ("net1", Mac(0x20)), ("net3", Mac(0x22)));
        await S.ExpectEventsAsync(Mac(0x20), a, b);
        await S.ExpectGaugeAsync(Mac(0x20), 2);
        Assert.Equal(0, await fixture.CollisionGaugeAsync(Mac(0x21)));
        Assert.Equal(0, await fixture.CollisionGaugeAsync(Mac(0x22)));
    }

    [Fact]
    public async Task One_object_can_collide_on_two_macs_with_two_others()
    {
        var a = await RunningAsync(Test.Name, $"{Kind}-a", ("net1", Mac(0x30)), ("net2", Mac(0x31)));
        var b = await RunningAsync(Test.Name, $"{Kind}-b", ("net1", Mac(0x30)));
        var c = await RunningAsync(Test.Name, $"{Kind}-c", ("net2", Mac(0x31)));
        await S.ExpectEventsAsync(Mac(0x30), a, b);
        await S.ExpectEventsAsync(Mac(0x31), a, c);
        await S.ExpectGaugeAsync(Mac(0x30), 2);
        await S.ExpectGaugeAsync(Mac(0x31), 2);
    }

    [Fact]
    public async Task Deleting_one_object_clears_the_collision()
    {
        await RunningAsync(Test.Name, $"{Kind}-a", ("net1", Mac(0x40)));
        var b = await RunningAsync(Test.Name, $"{Kind}-b", ("net1", Mac(0x40)));
        await S.ExpectGaugeAsync(Mac(0x40), 2);
        await S.DeleteAsync(b);
        await S.ExpectGaugeAsync(Mac(0x40), 0);
    }

    [Fact]
    public async Task Deleting_one_object_clears_only_its_collision()
    {
        await RunningAsync(Test.Name, $"{Kind}-a", ("net1", Mac(0x50)), ("net2", Mac(0x51)));
        var b = await RunningAsync(Test.Name, $"{Kind}-b", ("net1", Mac(0x50)));
        await RunningAsync(Test.Name, $"{Kind}-c", ("net2", Mac(0x51)));
        await S.ExpectGaugeAsync(Mac(0x50), 2);
        await S.ExpectGaugeAsync(Mac(0x51), 2);
        await S.DeleteAsync(b);
        await S.ExpectGaugeAsync(Mac(0x50), 0);
        Assert.Equal(2, await fixture.CollisionGaugeAsync(Mac(0x51)));
    }

    [Fact]
    public async Task Opt_in_mode_both_objects_in_an_opted_in_namespace_collide()
    {
        await WithOptInAsync(async () =>
        {
            var a = await RunningAsync(Other.Name, $"{Kind}-a", ("net1", Mac(0x60)));
            var b = await RunningAsync(Other.Name, $"{Kind}-b", ("net1", Mac(0x60)));
            await S.ExpectEventsAsync(Mac(0x60), a, b);
            await S.ExpectGaugeAsync(Mac(0x60), 2);
        });
    }

    [Fact]
    public async Task Opt_in_mode_an_object_in_an_unmanaged_namespace_does_not_collide()
    {
        await WithOptInAsync(async () =>
        {
            var unmanaged = await RunningAsync(Test.Name, $"{Kind}-a", ("net1", Mac(0x70)));
            var managed = await RunningAsync(Other.Name, $"{Kind}-b", ("net1", Mac(0x70)));
            await S.ExpectNoCollisionAsync(Mac(0x70), unmanaged, managed);
        });
    }

    /// <summary>Switches this kind's webhook to opt-in with <see cref="Other"/> opted in, and back to opt-out after.</summary>
    private async Task WithOptInAsync(Func<Task> scenario)
    {
        await fixture.Service.SetOptModeAsync(Webhook, optIn: true);
        try
        {
            await Other.SetLabelAsync(Webhook, "allocate");
            await CollisionScenario.SettleAsync();
            await scenario();
        }
        finally
        {
            await fixture.Service.SetOptModeAsync(Webhook, optIn: false);
        }
    }
}
