using System.Text;
using System.Text.RegularExpressions;
using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Collisions;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KubeMacPool.Manager.Tests.Telemetry;

/// <summary>The exposition text: the two upstream series exactly as Go's client prints them, ours in plain Prometheus form.</summary>
public partial class PrometheusTextTests
{
    [Fact]
    public void Upstream_series_have_exactly_the_upstream_lines()
    {
        var text = new StringBuilder();
        PrometheusText.WriteUpstream(text, [(MacAddress.Parse("02-00-00-00-BB-01"), 2), (MacAddress.Parse("06:00:00:00:00:00"), 3)], 1);
        Assert.Equal(
            """
            # HELP kmp_mac_collisions Number of running objects sharing a MAC address (only MACs that collide)
            # TYPE kmp_mac_collisions gauge
            kmp_mac_collisions{mac="02:00:00:00:bb:01"} 2
            kmp_mac_collisions{mac="06:00:00:00:00:00"} 3
            # HELP kubevirt_kmp_duplicate_macs [DEPRECATED] Total count of duplicate KubeMacPool MAC addresses
            # TYPE kubevirt_kmp_duplicate_macs counter
            kubevirt_kmp_duplicate_macs 1

            """.ReplaceLineEndings("\n"),
            text.ToString());
    }

    [Fact]
    public void Without_collisions_the_gauge_family_is_absent_and_the_counter_reads_zero()
    {
        var text = new StringBuilder();
        PrometheusText.WriteUpstream(text, [], 0);
        Assert.DoesNotContain("kmp_mac_collisions", text.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("\nkubevirt_kmp_duplicate_macs 0\n", text.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(2.0, "2")]
    [InlineData(0.0005, "0.0005")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void Numbers_print_in_the_shortest_form(double value, string expected) => Assert.Equal(expected, PrometheusText.Number(value));

    [Fact]
    public void Label_values_are_escaped() => Assert.Equal("a\\\\b\\\"c\\nd", PrometheusText.EscapeLabelValue("a\\b\"c\nd"));

    /// <summary>
    /// The whole scrape through the OpenTelemetry SDK: our instruments, the pool and the collision map, rendered by
    /// the scrape reader. Only this test creates the KubeMacPool meter, so no other test's measurements leak in.
    /// </summary>
    [Fact]
    public void A_scrape_renders_every_series_without_timestamps_or_scope_labels()
    {
        Assert.True(MacRange.TryParse("02:00:00:00:00:00", "02:00:00:00:00:ff", out var range, out _));
        var pool = new MacPool(range, randomOffset: _ => 0);
        var owner = MacOwner.Pod("ns", "p");
        Assert.True(pool.Reserve(owner, [MacRequest.Allocate("net1"), MacRequest.Requested("net2", "06:00:00:00:00:01")], null, dryRun: false).Succeeded);
        var collisions = new CollisionMap();

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new ManagerMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), pool, collisions);
        using var scrape = new ScrapeReader(collisions, metrics);
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(ManagerMetrics.MeterName).AddReader(scrape.Reader).Build();

        collisions.Track(new CollisionObject("vmi/a/x", new HashSet<MacAddress> { MacAddress.Parse("02:00:00:00:00:0A") }));
        collisions.Track(new CollisionObject("pod/b/y", new HashSet<MacAddress> { MacAddress.Parse("02:00:00:00:00:0a") }));
        metrics.RecordAdmission("pods", TimeSpan.FromMilliseconds(0.7), denialReason: null);
        metrics.RecordAdmission("pods", TimeSpan.FromMilliseconds(3), denialReason: "mac_taken");
        metrics.RecordRebuild(TimeSpan.FromSeconds(1.5));

        var text = scrape.Scrape();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines.Where(l => !l.StartsWith('#')))
        {
            Assert.Matches(SampleLine(), line);
        }

        Assert.DoesNotContain("otel_scope", text, StringComparison.Ordinal);
        Assert.Single(lines, l => l.StartsWith("kmp_mac_collisions", StringComparison.Ordinal));
        Assert.Contains("kmp_mac_collisions{mac=\"02:00:00:00:00:0a\"} 2", lines);
        Assert.Contains("kubevirt_kmp_duplicate_macs 0", lines);
        Assert.Contains("kubemacpool_pool_size 256", lines);
        Assert.Contains("kubemacpool_macs_held 2", lines);
        Assert.Contains("kubemacpool_pending_reservations 0", lines);
        Assert.Contains("kubemacpool_mac_allocations_total{source=\"range\"} 1", lines);
        Assert.Contains("kubemacpool_mac_allocations_total{source=\"requested\"} 1", lines);
        Assert.Contains("kubemacpool_admission_denials_total{reason=\"mac_taken\",webhook=\"pods\"} 1", lines);
        Assert.Contains("# TYPE kubemacpool_admission_duration_seconds histogram", lines);
        Assert.Contains("kubemacpool_admission_duration_seconds_bucket{webhook=\"pods\",le=\"0.0005\"} 0", lines);
        Assert.Contains("kubemacpool_admission_duration_seconds_bucket{webhook=\"pods\",le=\"0.001\"} 1", lines);
        Assert.Contains("kubemacpool_admission_duration_seconds_bucket{webhook=\"pods\",le=\"0.005\"} 2", lines);
        Assert.Contains("kubemacpool_admission_duration_seconds_bucket{webhook=\"pods\",le=\"+Inf\"} 2", lines);
        Assert.Contains("kubemacpool_admission_duration_seconds_count{webhook=\"pods\"} 2", lines);
        Assert.Contains("kubemacpool_rebuild_duration_seconds 1.5", lines);

        // The collision is over: the series goes, the counter stays.
        collisions.Forget("pod/b/y");
        var after = scrape.Scrape();
        Assert.DoesNotContain("kmp_mac_collisions", after, StringComparison.Ordinal);
        Assert.Contains("\nkubevirt_kmp_duplicate_macs 0\n", after, StringComparison.Ordinal);
    }

    // name, optional {k="v",...}, one space, a number; nothing after it (no timestamp).
    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|NaN)$""")]
    private static partial Regex SampleLine();
}
