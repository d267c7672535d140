using System.Diagnostics;
using System.Globalization;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>
/// Admission throughput and latency over TLS on loopback against a running manager (<c>--admission URL</c>, the
/// <c>KMP_WEBHOOK_URL</c> of <c>make cluster-sync</c>; <c>make bench-admission</c> runs it all), read against a
/// floor: a bare Kestrel TLS endpoint (<see cref="AdmissionFloor"/>) measured by the same client in the same run.
/// Every review names a fresh object except in the retry storm. Phases: the cold process (warm-up, reported
/// apart), VM and pod reviews at 16 and 64 clients (floor and webhook alternating, three rounds, medians), the
/// retry storm (one pod name re-admitted by 16 clients, round after round) and the heal storm (100,000 reviews
/// of objects never created, then the worst latency of a paced load while the heal pass releases them).
/// </summary>
internal static class AdmissionLoad
{
    internal sealed record Options(Uri Webhook, int? Pid, string? Log, double Seconds, int StormRounds, double StormSeconds, int HealReviews, bool FrameworkFloor, int ColdSlices, int Rounds)
    {
        public static Options Parse(IReadOnlyList<string> args)
        {
            string? Value(string name) => args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Count).Select(x => args[x.i + 1]).FirstOrDefault();
            double Number(string name, double fallback) => Value(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
            return new Options(
                new Uri(args[1]),
                Value("--pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
                Value("--log"),
                Number("--seconds", 5),
                (int)Number("--storm-rounds", 6),
                Number("--storm-seconds", 8),
                (int)Number("--heal", 100_000),
                args.Contains("--framework-floor"),
                (int)(Number("--cold-seconds", 10) / 2),
                Math.Max(1, (int)Number("--rounds", 3)));
        }
    }

    public static async Task RunAsync(Options options)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var flags = options.Pid is { } pid ? ManagerFlags(pid) : [];
        Console.WriteLine($"manager: pid {options.Pid?.ToString(CultureInfo.InvariantCulture) ?? "?"}, log level {Flag(flags, "--v") ?? "production (default)"}, " +
                          $"wait-time {Flag(flags, "--wait-time") ?? "300 (default)"} s; run {run}; {Environment.ProcessorCount} CPUs");
        var (floorProcess, floorUrl) = AdmissionFloor.Start(framework: false);
        using var floorOwned = floorProcess;
        var (frameworkProcess, frameworkUrl) = options.FrameworkFloor ? AdmissionFloor.Start(framework: true) : (null, floorUrl);
        using var frameworkOwned = frameworkProcess;
        using var framework = new AdmissionClient(frameworkUrl);
        using var manager = options.Pid is { } p ? new ProcessWatch(p) : null;
        using var floorWatch = new ProcessWatch(floorProcess.Id);
        var log = options.Log is { } path ? new LogTail(path) : null;
        using var webhook = new AdmissionClient(options.Webhook);
        using var floor = new AdmissionClient(floorUrl);
        var phase = 0;
        Func<int, byte[]> Fresh(bool vm) { var tag = $"{(vm ? "vm" : "pod")}-{run}-{phase++}-"; return i => vm ? AdmissionReviews.VirtualMachine(tag + i) : AdmissionReviews.Pod(tag + i); }
        string Path(bool vm) => vm ? AdmissionReviews.VirtualMachinePath : AdmissionReviews.PodPath;
        var reviews = 0;

        try
        {
            Console.WriteLine($"\n## Warm-up: a cold process, VM reviews, 16 clients, 2 s slices, {options.ColdSlices * 2} s (--cold-seconds)");
            foreach (var (name, client) in new[] { ("webhook", webhook), ("floor", floor) })
            {
                var total = 0;
                for (var slice = 0; slice < options.ColdSlices; slice++)
                {
                    var result = await client.RunAsync(Path(true), 16, TimeSpan.FromSeconds(2), Fresh(true));
                    reviews += name == "webhook" ? result.Reviews : 0;
                    total += result.Reviews;
                    Console.WriteLine($"{name,-8} {slice * 2,2}-{(slice * 2) + 2,2} s: {result}");
                }

                Console.WriteLine($"{name,-8} first {options.ColdSlices * 2} s: {total / (options.ColdSlices * 2.0):F0} reviews/s");
            }

            Console.WriteLine($"\n## Warm: {options.Seconds} s per case, floor and webhook alternating, {options.Rounds} rounds");
            var gcWebhook = manager?.Collections ?? default;
            var gcFloor = floorWatch.Collections;
            var logBefore = log?.Lines() ?? 0;
            var warmReviews = 0;
            var results = new Dictionary<(bool Vm, int Clients, string Target), List<LoadResult>>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var vm in new[] { true, false })
                {
                    foreach (var clients in new[] { 16, 64 })
                    {
                        var targets = options.FrameworkFloor ? new[] { ("floor", floor), ("framework", framework), ("webhook", webhook) } : [("floor", floor), ("webhook", webhook)];
                        foreach (var (name, client) in targets)
                        {
                            var result = await client.RunAsync(Path(vm), clients, TimeSpan.FromSeconds(options.Seconds), Fresh(vm));
                            warmReviews += name == "webhook" ? result.Reviews : 0;
                            Console.WriteLine($"round {round} {(vm ? "VM " : "pod")} {clients,2} clients {name,-9}: {result}");
                            (results.TryGetValue((vm, clients, name), out var list) ? list : results[(vm, clients, name)] = []).Add(result);
                        }
                    }
                }
            }

            reviews += warmReviews;
            // "ratio" divides the two medians; "paired" is the median of each round's webhook ÷ the floor just before it,
            // which the machine's drift between rounds (the floor's own rate moves by half on a shared host) moves less.
            Console.WriteLine("\n| reviews | clients | floor reviews/s | webhook reviews/s | ratio | paired ratio | floor p99 | webhook p99 | webhook max |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var vm in new[] { true, false })
            {
                foreach (var clients in new[] { 16, 64 })
                {
                    var f = results[(vm, clients, "floor")];
                    var w = results[(vm, clients, "webhook")];
                    Console.WriteLine(
                        $"| {(vm ? "VM" : "pod")} | {clients} | {Median(f, r => r.Rate):F0} | {Median(w, r => r.Rate):F0} | " +
                        $"**{Median(w, r => r.Rate) / Median(f, r => r.Rate):F2}** | {Paired(w, f):F2} | {Median(f, r => r.P99):F1} ms | {Median(w, r => r.P99):F1} ms | {Median(w, r => r.Max):F0} ms |");
                    if (results.TryGetValue((vm, clients, "framework"), out var fw))
                    {
                        Console.WriteLine(
                            $"|   framework floor | {clients} | {Median(fw, r => r.Rate):F0} r/s, p99 {Median(fw, r => r.P99):F1} ms | webhook / framework | " +
                            $"**{Median(w, r => r.Rate) / Median(fw, r => r.Rate):F2}** | {Paired(w, fw):F2} | | | |");
                    }
                }
            }

            Console.WriteLine($"webhook over the warm phase: {manager?.Describe(gcWebhook) ?? "no --pid"}; " +
                              $"log lines {(log is null ? "n/a (no --log)" : FormattableString.Invariant($"{(log.Lines() - logBefore) / (double)Math.Max(1, warmReviews):F2} per review"))}");
            Console.WriteLine($"floor over the warm phase: {floorWatch.Describe(gcFloor)}");

            Console.WriteLine($"\n## Retry storm: one pod name re-admitted (CREATE, never persisted) by 16 clients, {options.StormRounds} rounds of {options.StormSeconds} s");
            var storm = new List<LoadResult>();
            var stormName = $"retry-{run}";
            for (var round = 1; round <= options.StormRounds; round++)
            {
                var uid = $"{stormName}-{round}-";
                var result = await webhook.RunAsync(AdmissionReviews.PodPath, 16, TimeSpan.FromSeconds(options.StormSeconds), i => AdmissionReviews.PodWithUid(stormName, uid + i));
                reviews += result.Reviews;
                storm.Add(result);
                Console.WriteLine($"round {round}: {result}");
            }

            if (storm.Count > 0)
            {
                Console.WriteLine($"last round / first round: **{storm[^1].Rate / storm[0].Rate:F2}**; webhook {manager?.Describe(gcWebhook) ?? ""}");
            }

            if (options.HealReviews > 0)
            {
                await HealStormAsync(options, webhook, floor, Fresh, flags, manager, log);
            }
        }
        finally
        {
            foreach (var process in new[] { floorProcess, frameworkProcess })
            {
                process?.StandardInput.Close();
                if (process is not null && !process.WaitForExit(5000))
                {
                    process.Kill();
                }
            }
        }
    }

    private static async Task HealStormAsync(
        Options options, AdmissionClient webhook, AdmissionClient floor, Func<bool, Func<int, byte[]>> fresh, string[] flags, ProcessWatch? manager, LogTail? log)
    {
        var wait = double.TryParse(Flag(flags, "--wait-time"), CultureInfo.InvariantCulture, out var w) ? w : 300;
        var pace = TimeSpan.FromMilliseconds(8);
        Console.WriteLine($"\n## Heal storm: {options.HealReviews:N0} pod reviews of objects never created, then 8 clients x 125 reviews/s to the webhook and as many to the floor while the heal (wait-time {wait} s) releases them");
        var baseFloor = await floor.RunPacedAsync(AdmissionReviews.PodPath, 8, TimeSpan.FromSeconds(5), pace, fresh(false));
        var baseWebhook = await webhook.RunPacedAsync(AdmissionReviews.PodPath, 8, TimeSpan.FromSeconds(5), pace, fresh(false));
        Console.WriteLine($"paced, no heal: floor   {baseFloor}");
        Console.WriteLine($"paced, no heal: webhook {baseWebhook}");
        log?.Lines();

        var filled = Stopwatch.StartNew();
        var fill = await webhook.RunCountAsync(AdmissionReviews.PodPath, 64, options.HealReviews, fresh(false));
        Console.WriteLine($"fill: {fill}");

        // The last filled entry is past the wait time at fill end + wait; the heal ticks every 3 s; a margin after.
        var window = TimeSpan.FromSeconds(wait + 8);
        if (filled.Elapsed.TotalSeconds > wait)
        {
            Console.WriteLine("the fill took longer than the wait time: the heal ran during it; use a longer --wait-time");
        }

        // The floor is probed beside the webhook in the same slices: a stall of the shared machine shows in both, a
        // stall of the heal pass only in the webhook's.
        var gc = manager?.Collections ?? default;
        var slices = new List<(double At, LoadResult Webhook, LoadResult Floor)>();
        var probe = Stopwatch.StartNew();
        while (probe.Elapsed < window)
        {
            var at = filled.Elapsed.TotalSeconds;
            var webhookSlice = webhook.RunPacedAsync(AdmissionReviews.PodPath, 8, TimeSpan.FromSeconds(1), pace, fresh(false));
            var floorSlice = floor.RunPacedAsync(AdmissionReviews.PodPath, 8, TimeSpan.FromSeconds(1), pace, fresh(false));
            slices.Add((at, await webhookSlice, await floorSlice));
        }

        // "Heal pass" is this build's summary; an older build writes one "Healed stale reservations" line per owner.
        var heal = log?.NewLinesContaining("Heal");
        var worst = slices.MaxBy(s => s.Webhook.Max);
        Console.WriteLine($"during the heal window ({window.TotalSeconds:F0} s): webhook {slices.Sum(s => s.Webhook.Reviews):N0} reviews, " +
                          $"max **{worst.Webhook.Max:F1} ms** (at {worst.At:F0} s after fill start, floor max in that second {worst.Floor.Max:F1} ms), " +
                          $"worst 1 s p99 {slices.Max(s => s.Webhook.P99):F1} ms, not allowed {slices.Sum(s => s.Webhook.NotAllowed)}; " +
                          $"floor max {slices.Max(s => s.Floor.Max):F1} ms; {manager?.Describe(gc) ?? ""}");
        var clean = slices.Where(s => s.Floor.Max <= 50).ToList();
        Console.WriteLine($"seconds in which the floor stayed under 50 ms: {clean.Count} of {slices.Count}; webhook max in them **{(clean.Count == 0 ? double.NaN : clean.Max(s => s.Webhook.Max)):F1} ms**");
        Console.WriteLine("1 s slices with a webhook max > 20 ms (webhook/floor): " +
                          string.Join(", ", slices.Where(s => s.Webhook.Max > 20).Select(s => $"{s.At:F0}s:{s.Webhook.Max:F0}/{s.Floor.Max:F0}ms")));
        if (heal is not null)
        {
            var passes = heal.Where(l => l.Contains("Heal pass", StringComparison.Ordinal)).ToList();
            Console.WriteLine($"heal log lines in the window: {heal.Count:N0}, pass summaries: {passes.Count}" + (passes.Count is > 0 and <= 30 ? "\n  " + string.Join("\n  ", passes) : ""));
        }
    }

    private static double Median(List<LoadResult> results, Func<LoadResult, double> value)
    {
        var sorted = results.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The median over rounds of the webhook's rate ÷ the floor's in the same round.</summary>
    private static double Paired(List<LoadResult> webhook, List<LoadResult> floor)
    {
        var ratios = webhook.Zip(floor, (w, f) => w.Rate / f.Rate).Order().ToList();
        return ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[(ratios.Count / 2) - 1] + ratios[ratios.Count / 2]) / 2;
    }

    private static string[] ManagerFlags(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string? Flag(string[] flags, string name) =>
        flags.Where(f => f.StartsWith(name + "=", StringComparison.Ordinal)).Select(f => f[(name.Length + 1)..]).LastOrDefault();
}
