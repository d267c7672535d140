using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Informers.Packing;
using Microsoft.Extensions.Time.Testing;
using static KubeMacPool.Manager.Tests.Kubernetes.Informers.ConfigMaps;

namespace KubeMacPool.Manager.Tests.Kubernetes.Informers;

public sealed class ObjectCacheTests
{
    private static ObjectCache<V1ConfigMap> CacheByApp()
    {
        var cache = new ObjectCache<V1ConfigMap>();
        // Several values per object, so an update that drops one value is seen.
        cache.AddIndex("app", m => m.Metadata.Labels?.Values ?? (IEnumerable<string>)[]);
        return cache;
    }

    private static string[] Keys(IEnumerable<V1ConfigMap> items) =>
        [.. items.Select(ObjectCache<V1ConfigMap>.KeyOf).Order(StringComparer.Ordinal)];

    [Fact]
    public void Keys_are_namespace_slash_name_or_the_bare_name_for_cluster_scoped_objects()
    {
        Assert.Equal("ns/a", ObjectCache<V1ConfigMap>.KeyOf(Map("a", "1")));
        Assert.Equal("a", ObjectCache<V1ConfigMap>.KeyOf(null, "a"));
    }

    [Fact]
    public void An_object_is_found_by_its_key_text_and_by_its_parts_alike()
    {
        var cache = new ObjectCache<V1ConfigMap>();
        var clusterScoped = Map("c", "1");
        clusterScoped.Metadata.NamespaceProperty = null;
        cache.Upsert(Map("a", "1"));
        cache.Upsert(clusterScoped);

        Assert.Same(cache.Get("ns/a"), cache.Get("ns", "a"));
        Assert.NotNull(cache.Get("ns/a"));
        Assert.Same(cache.Get("c"), cache.Get(null, "c"));
        Assert.NotNull(cache.Get("c"));
        Assert.Null(cache.Get("ns/c"));
        Assert.Null(cache.Get("a"));
        Assert.Null(cache.Get("ns/a/extra"));
        Assert.Equal(["c", "ns/a"], cache.Keys().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_custom_index_follows_add_update_and_delete()
    {
        var cache = CacheByApp();
        cache.Upsert(Map("a", "1", labels: new() { ["x"] = "web", ["y"] = "db" }));
        cache.Upsert(Map("b", "1", labels: new() { ["x"] = "web" }));
        Assert.Equal(["ns/a", "ns/b"], Keys(cache.ByIndex("app", "web")));
        Assert.Equal(["ns/a"], Keys(cache.ByIndex("app", "db")));

        cache.Upsert(Map("a", "2", labels: new() { ["x"] = "cache" }));
        Assert.Equal(["ns/b"], Keys(cache.ByIndex("app", "web")));
        Assert.Empty(cache.ByIndex("app", "db"));
        Assert.Equal("2", Assert.Single(cache.ByIndex("app", "cache")).Metadata.ResourceVersion);

        cache.Remove(Map("b", "3"));
        Assert.Empty(cache.ByIndex("app", "web"));
        Assert.Null(cache.Get("ns", "b"));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void The_namespace_index_holds_each_namespace_objects_until_they_are_deleted()
    {
        var cache = new ObjectCache<V1ConfigMap>();
        cache.Upsert(Map("a", "1", "ns1"));
        cache.Upsert(Map("b", "1", "ns1"));
        cache.Upsert(Map("a", "1", "ns2"));

        Assert.Equal(["ns1/a", "ns1/b"], Keys(cache.InNamespace("ns1")));
        cache.Remove(Map("a", "1", "ns1"));
        Assert.Equal(["ns1/b"], Keys(cache.InNamespace("ns1")));
        Assert.Equal(["ns2/a"], Keys(cache.InNamespace("ns2")));
        Assert.Empty(cache.InNamespace("elsewhere"));
    }

    [Fact]
    public void Replace_returns_what_vanished_and_leaves_no_index_entry_for_it()
    {
        var cache = CacheByApp();
        cache.Upsert(Map("a", "1", labels: new() { ["x"] = "web" }));
        cache.Upsert(Map("b", "1", labels: new() { ["x"] = "web" }));

        var removed = cache.Replace([Map("b", "2", labels: new() { ["x"] = "db" }), Map("c", "1")]);

        Assert.Equal(["ns/a"], Keys(removed));
        Assert.Equal(["ns/b", "ns/c"], Keys(cache.List()));
        Assert.Empty(cache.ByIndex("app", "web"));
        Assert.Equal(["ns/b"], Keys(cache.ByIndex("app", "db")));
        Assert.Equal(["ns/b", "ns/c"], Keys(cache.InNamespace("ns")));
    }

    [Fact]
    public async Task WaitFor_returns_an_object_already_present_at_once()
    {
        var cache = new ObjectCache<V1ConfigMap>();
        var map = Map("a", "1");
        cache.Upsert(map);
        Assert.Same(map, await cache.WaitForAsync("ns/a", TimeSpan.FromSeconds(1), new FakeTimeProvider(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WaitFor_returns_the_object_when_it_arrives_before_the_timeout()
    {
        var cache = new ObjectCache<V1ConfigMap>();
        var time = new FakeTimeProvider();
        var waiting = cache.WaitForAsync("ns/a", TimeSpan.FromSeconds(2), time, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);

        var map = Map("a", "1");
        cache.Upsert(map);
        Assert.Same(map, await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WaitFor_returns_null_when_the_object_does_not_arrive_in_time()
    {
        var cache = new ObjectCache<V1ConfigMap>();
        var time = new FakeTimeProvider();
        var waiting = cache.WaitForAsync("ns/a", TimeSpan.FromSeconds(2), time, TestContext.Current.CancellationToken);
        cache.Upsert(Map("other", "1"));
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_packed_cache_opens_a_fresh_object_on_every_read_with_the_fields_it_was_given()
    {
        var cache = new ObjectCache<V1Pod>(PodPacker.Instance);
        cache.Upsert(Pod("a", "web"));
        cache.Upsert(Pod("b", "db"));

        var (first, second) = (cache.Get("ns/a"), cache.Get("ns", "a"));

        Assert.NotNull(first);
        Assert.NotSame(first, second);
        Assert.Equal(("a", "ns", "uid-a", "web"), (first.Metadata.Name, first.Metadata.NamespaceProperty, first.Metadata.Uid, first.Metadata.Labels[WellKnown.KubeVirtLabel]));
        Assert.Equal(first.Metadata.Uid, second!.Metadata.Uid);
        Assert.True(cache.Contains("ns", "b"));
        Assert.False(cache.Contains("ns", "c"));
        Assert.Null(cache.Get("ns/c"));

        var all = cache.List();
        Assert.Equal(2, all.Count);
        Assert.Equal(["a", "b"], all.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.NotSame(all[0], all[0]);
        Assert.Equal(all[1].Metadata.Uid, all.ElementAt(1).Metadata.Uid);
    }

    [Fact]
    public void A_packed_cache_keeps_its_indexes_and_says_what_a_relist_removed()
    {
        var cache = new ObjectCache<V1Pod>(PodPacker.Instance);
        cache.AddIndex("role", p => p.Metadata.Labels?.Values ?? (IEnumerable<string>)[]);
        cache.Upsert(Pod("a", "web"));
        cache.Upsert(Pod("b", "web"));
        cache.Upsert(Pod("a", "db"));

        Assert.Equal(["ns/b"], cache.ByIndex("role", "web").Select(ObjectCache<V1Pod>.KeyOf));
        Assert.Equal("uid-a", Assert.Single(cache.ByIndex("role", "db")).Metadata.Uid);

        var removed = cache.Replace([Pod("b", "web")]);

        Assert.Equal("uid-a", Assert.Single(removed).Metadata.Uid);
        Assert.Empty(cache.ByIndex("role", "db"));
        Assert.Equal(["b"], cache.List().Select(p => p.Metadata.Name));
    }

    private static V1Pod Pod(string name, string label) => CacheTrims.Pod(new V1Pod
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            Uid = "uid-" + name,
            Labels = new Dictionary<string, string> { [WellKnown.KubeVirtLabel] = label },
        },
    });
}
