using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using KubeMacPool.Core.Addressing;

namespace KubeMacPool.Plugin;

/// <summary>One invocation: parse, ask the cluster with the caller's kubeconfig, print, return the exit code.</summary>
internal static class PluginApp
{
    /// <summary>A status older than this (three heartbeats of the publisher) means the service stopped reporting.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!CommandLine.TryParse(args, out var command, out var usageError))
        {
            if (usageError is { Length: > 0 })
            {
                await stderr.WriteLineAsync("error: " + usageError);
                await stderr.WriteLineAsync(CommandLine.Usage);
                return ExitCodes.Usage;
            }

            await stdout.WriteLineAsync(CommandLine.Usage);
            return ExitCodes.Ok;
        }

        try
        {
            var (result, code) = await AnswerAsync(command, cancellationToken);
            await stdout.WriteAsync(Output.Render(result, command.Output));
            return code;
        }
        catch (PluginException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message);
            return e.ExitCode;
        }
    }

    private static async Task<(object Result, int Code)> AnswerAsync(CommandLine command, CancellationToken cancellationToken)
    {
        // Arguments are checked before any call, so a typo never waits on the network.
        MacAddress mac = default;
        MacRange? range = null;
        if (command.Verb == "who-has" && !MacAddress.TryParse(command.Arguments[0], out mac, out var macError))
        {
            throw new PluginException(macError, ExitCodes.Usage);
        }

        if (command.Verb == "check-range" && !MacRange.TryParse(command.Arguments[0], command.Arguments[1], out range, out var rangeError))
        {
            throw new PluginException(rangeError, ExitCodes.Usage);
        }

        var (client, currentNamespace) = Connect(command);
        using var disposable = client as IDisposable;
        var reader = new ClusterReader(client, command.Namespace, currentNamespace);
        try
        {
            switch (command.Verb)
            {
                case "status":
                    var status = await reader.ReadStatusAsync(command.ServiceNamespace, cancellationToken);
                    var stale = DateTimeOffset.UtcNow - status.Updated > StaleAfter;
                    var view = new StatusView(
                        status.RangeStart, status.RangeEnd, status.Size, status.Held, status.Pending, status.Free, status.Reserved,
                        status.ReservedEntries, status.Collisions, status.Ready, status.NotReadyReason, status.Publisher, status.Replicas,
                        status.Updated, stale);
                    return (view, stale ? ExitCodes.ServiceNotReporting : status.Ready ? ExitCodes.Ok : ExitCodes.Findings);
                case "who-has":
                    var holders = Queries.WhoHas(await reader.ReadInventoryAsync(cancellationToken), mac);
                    return (holders, holders.Holders.Count > 0 ? ExitCodes.Ok : ExitCodes.Findings);
                case "check-range":
                    var check = Queries.CheckRange(await reader.ReadInventoryAsync(cancellationToken), range!);
                    return (check, check.Outside == 0 ? ExitCodes.Ok : ExitCodes.Findings);
                default:
                    var collisions = Queries.Collisions(await reader.ReadInventoryAsync(cancellationToken));
                    return (collisions, collisions.Collisions.Count == 0 ? ExitCodes.Ok : ExitCodes.Findings);
            }
        }
        catch (HttpRequestException e)
        {
            throw new PluginException($"cannot reach the cluster at {client.BaseUri}: {e.Message}", ExitCodes.Unreachable);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode is 401 or 403)
        {
            throw new PluginException($"the cluster refused the request ({(int)e.Response.StatusCode} {e.Response.ReasonPhrase}): check your credentials", ExitCodes.Unreachable);
        }
        catch (HttpOperationException e)
        {
            throw new PluginException($"the cluster answered {(int)e.Response.StatusCode}: {e.Response.Content}", ExitCodes.Unreachable);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PluginException($"the cluster at {client.BaseUri} did not answer in time", ExitCodes.Unreachable);
        }
    }

    private static (IKubernetes Client, string CurrentNamespace) Connect(CommandLine command)
    {
        try
        {
            var path = command.Kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator).FirstOrDefault(p => p.Length > 0);
            var config = path is null
                ? KubernetesClientConfiguration.BuildDefaultConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(path, command.Context);
            config.HttpClientTimeout = TimeSpan.FromSeconds(30);
            return (new Kubernetes(config), config.Namespace is { Length: > 0 } ns ? ns : "default");
        }
        catch (Exception e) when (e is KubeConfigException or FileNotFoundException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new PluginException("no usable kubeconfig: " + e.Message, ExitCodes.Unreachable);
        }
    }
}
