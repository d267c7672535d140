using BenchmarkDotNet.Running;
using KubeMacPool.Benchmarks.Core;

// `--reserved`: allocation without and with 1,000 RESERVED_MACS entries, alternated (min of each).
// `--memory`: the pool's retained memory. `--latency [reserves] [lag]`: the slowest single pool calls of a heal storm. `--scale [N]`: startup rebuild against the cluster in KUBECONFIG.
// `--admission URL ...`: webhook throughput and latency against a running manager, beside a bare Kestrel TLS floor.
// `--dhcp-loopback [seconds]`: the DHCP agent's request/reply throughput on 127.0.0.1.
// Anything else goes to BenchmarkDotNet.
if (args.Contains("--reserved"))
{
    ReservedInterleaved.Run();
    return;
}

if (args.Contains("--memory"))
{
    PoolMemory.Run();
    return;
}

if (args is ["--latency", ..])
{
    var numbers = args.Skip(1).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    PoolLatency.Run(numbers.Length > 0 ? numbers[0] : 1_800_000, numbers.Length > 1 ? numbers[1] : 600_000);
    return;
}

if (args is ["--admission", _, ..])
{
    // --admission URL [--pid N] [--log FILE] [--seconds S] [--rounds N] [--storm-rounds N] [--storm-seconds S] [--heal N]
    await KubeMacPool.Benchmarks.Scale.AdmissionLoad.RunAsync(KubeMacPool.Benchmarks.Scale.AdmissionLoad.Options.Parse(args));
    return;
}

if (args is [KubeMacPool.Benchmarks.Scale.AdmissionFloor.ServeArgument, ..])
{
    await KubeMacPool.Benchmarks.Scale.AdmissionFloor.ServeAsync(args is [_, KubeMacPool.Benchmarks.Scale.AdmissionFloor.FrameworkArgument]);
    return;
}

if (args is ["--dhcp-loopback", ..])
{
    var seconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
    await KubeMacPool.Benchmarks.Dhcp.DhcpLoopbackLoad.RunAsync(TimeSpan.FromSeconds(seconds));
    return;
}

if (args is ["--scale", ..])
{
    // --scale [N] [--compare LABEL=path/to/kubemacpool.dll]...: this build, and others measured in the same sitting.
    var count = args.Length > 1 && int.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 10_000;
    var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
    var builds = new List<(string, string)> { ("this build", Path.Combine(own.Parent!.Parent!.FullName, "KubeMacPool.Manager", own.Name, "kubemacpool.dll")) };
    for (var i = 0; i < args.Length - 1; i++)
    {
        if (args[i] == "--compare" && args[i + 1].Split('=', 2) is [var label, var dll])
        {
            builds.Add((label, dll));
        }
    }

    await KubeMacPool.Benchmarks.Scale.RebuildHarness.RunAsync(count, builds);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PoolMemory).Assembly).Run(args);
