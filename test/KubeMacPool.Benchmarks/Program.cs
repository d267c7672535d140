using BenchmarkDotNet.Running;
using KubeMacPool.Benchmarks.Core;

// `--memory`: the pool's retained memory. `--scale [N]`: startup rebuild against the cluster in KUBECONFIG.
// `--admission URL`: webhook throughput and latency against a running manager.
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

if (args is ["--scale", ..])
{
    var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
    var manager = Path.Combine(own.Parent!.Parent!.FullName, "KubeMacPool.Manager", own.Name, "kubemacpool.dll");
    await KubeMacPool.Benchmarks.Scale.RebuildHarness.RunAsync(count, manager);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PoolMemory).Assembly).Run(args);
