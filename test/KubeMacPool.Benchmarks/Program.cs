using BenchmarkDotNet.Running;
using KubeMacPool.Benchmarks.Core;

// `--memory` prints the pool's retained memory; anything else goes to BenchmarkDotNet.
if (args.Contains("--memory"))
{
    PoolMemory.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(PoolMemory).Assembly).Run(args);
