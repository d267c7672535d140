using BenchmarkDotNet.Running;
using KubeMacPool.Benchmarks.Core;

// `--memory`: the pool's retained memory. `--scale [N]`: startup rebuild against the cluster in KUBECONFIG.
// `--admission URL`: webhook throughput and latency against a running manager.
// `--dhcp-loopback [seconds]`: the DHCP agent's request/reply throughput on 127.0.0.1.
// Anything else goes to BenchmarkDotNet.
if (args.Contains("--memory"))
{
    PoolMemory.Run();
    return;
}

if (args is ["--admission", var url])
{
    await KubeMacPool.Benchmarks.Scale.AdmissionLoad.RunAsync(new Uri(url));
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
    var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
    var manager = Path.Combine(own.Parent!.Parent!.FullName, "KubeMacPool.Manager", own.Name, "kubemacpool.dll");
    await KubeMacPool.Benchmarks.Scale.RebuildHarness.RunAsync(count, manager);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PoolMemory).Assembly).Run(args);
