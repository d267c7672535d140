namespace KubeMacPool.FuncTests.Infrastructure;

/// <summary>
/// The one test collection of this project. Its tests run one at a time: webhook configurations are cluster-scoped,
/// and a webhook with failurePolicy Fail must not catch another test's objects. (Each test still uses its own
/// namespace and webhook configuration name.) The cluster itself comes from the assembly fixture
/// <see cref="ClusterFixture"/>, shared by all tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterTestGroup
{
    public const string Name = "cluster";
}
