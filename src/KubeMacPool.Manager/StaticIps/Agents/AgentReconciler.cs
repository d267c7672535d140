using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.StaticIps.Agents;

/// <summary>
/// Keeps, for one pool (the key), its agent Deployment: created when the pool's network exists, replaced when the
/// rendered pod template changes (network, server address, image, account), deleted when the pool opts out, and
/// left to the garbage collector when the pool goes (ownerReference). A Deployment of the agent's name that the pool
/// does not own is never touched. Then the pool's <c>AgentReady</c> condition and <c>status.agent</c> say how it went.
/// </summary>
internal sealed partial class AgentReconciler(
    IKubernetes client,
    Informer<IpPool> pools,
    Informer<V1Deployment> deployments,
    Informer<NetworkAttachmentDefinition> networks,
    AgentStatusWriter status,
    EventRecorder events,
    IOptions<ManagerOptions> options,
    TimeProvider time,
    ILogger<AgentReconciler> logger) : IReconciler<string>, IDisposable
{
    private readonly AgentSettings _settings = new(options.Value.PodNamespace!, options.Value.DhcpAgentImage, options.Value.DhcpAgentServiceAccount);

    public WorkQueue<string> Queue { get; } = new(time);

    public string Namespace => _settings.Namespace;

    public async ValueTask<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var name = AgentDeployment.NameOf(key);
        var existing = deployments.Cache.Get(_settings.Namespace, name);
        if (pools.Cache.Get(key) is not { } pool || pool.Metadata.DeletionTimestamp is not null)
        {
            status.Forget(key);
            return ReconcileResult.Done;
        }

        var owned = existing is not null && AgentDeployment.PoolOf(existing)?.Uid == pool.Metadata.Uid;
        if (pool.Metadata.Annotations.ValueOrNull(WellKnown.DhcpAgentAnnotation) == WellKnown.DhcpAgentExternalValue)
        {
            if (owned)
            {
                await ObjectPatches.IgnoreNotFound(client.AppsV1.DeleteNamespacedDeploymentAsync(
                    name, _settings.Namespace, body: new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = existing!.Metadata.Uid } },
                    cancellationToken: cancellationToken));
                LogDeleted(logger, key, name);
            }

            return await status.WriteAsync(pool, null, cancellationToken);
        }

        if (AgentDeployment.Render(pool, _settings, out var error) is not { } desired)
        {
            return await NotReadyAsync(pool, null, "InvalidSpec", "the agent cannot be rendered: " + error, cancellationToken);
        }

        if (existing is not null && !owned)
        {
            return AgentDeployment.PoolOf(existing)?.Name == key
                ? await NotReadyAsync(pool, null, "Pending", $"waiting for the agent of an earlier pool {key} ({name}) to be deleted", cancellationToken)
                : await NotReadyAsync(pool, null, "NameTaken",
                    $"Deployment {_settings.Namespace}/{name} exists and is not this pool's: delete it, or annotate the pool "
                    + $"{WellKnown.DhcpAgentAnnotation}={WellKnown.DhcpAgentExternalValue} to keep running the agent yourself",
                    cancellationToken);
        }

        var network = AgentDeployment.NetworkOf(pool)!.Value.ToString();
        if (AgentDeployment.TemplateHashOf(desired) == (existing is null ? null : AgentDeployment.TemplateHashOf(existing)))
        {
            return await status.WriteAsync(pool, Readiness(existing!), cancellationToken);
        }

        if (networks.Cache.Get(network) is null)
        {
            // A pod on a missing network never starts (Multus fails it): wait for the NAD, whose event queues the pool.
            return await NotReadyAsync(pool, existing?.Metadata.Name, "NetworkNotFound",
                $"NetworkAttachmentDefinition {network} does not exist; the agent is created when it does", cancellationToken);
        }

        try
        {
            if (existing is null)
            {
                await client.AppsV1.CreateNamespacedDeploymentAsync(desired, _settings.Namespace, cancellationToken: cancellationToken);
                LogCreated(logger, key, name, network);
            }
            else
            {
                // Our own rendering replaces the whole object; the resourceVersion makes a concurrent edit a conflict (retried).
                desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
                await client.AppsV1.ReplaceNamespacedDeploymentAsync(desired, name, _settings.Namespace, cancellationToken: cancellationToken);
                LogRolled(logger, key, name, network);
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created or changed by someone meanwhile: its watch event queues the pool again.
            return ReconcileResult.Done;
        }
        catch (HttpOperationException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogWriteFailed(logger, key, name, (int)e.Response.StatusCode, e.Response.Content);
            await NotReadyAsync(pool, existing?.Metadata.Name, "CreateFailed",
                $"the agent Deployment {_settings.Namespace}/{name} could not be written: {e.Response.Content}", cancellationToken);
            return ReconcileResult.Failed;
        }

        return await status.WriteAsync(pool, new AgentState(name, false, "Progressing", "the agent Deployment was written; waiting for it to be available"), cancellationToken);
    }

    public void Dispose() => Queue.Dispose();

    /// <summary>Available once the Deployment controller has seen the current template and reports it available.</summary>
    private static AgentState Readiness(V1Deployment deployment)
    {
        var name = deployment.Metadata.Name;
        if (deployment.Status?.ObservedGeneration is not { } observed || observed < (deployment.Metadata.Generation ?? 0))
        {
            return new AgentState(name, false, "Progressing", $"the rollout of Deployment {name} has not been observed yet");
        }

        var available = deployment.Status.Conditions?.FirstOrDefault(c => c.Type == "Available");
        return available?.Status == "True"
            ? new AgentState(name, true, "Available", $"Deployment {name} is available")
            : new AgentState(name, false, available?.Reason ?? "Unavailable", available?.Message ?? $"Deployment {name} has no available replica");
    }

    private async Task<ReconcileResult> NotReadyAsync(IpPool pool, string? agent, string reason, string message, CancellationToken cancellationToken)
    {
        var state = new AgentState(agent, false, reason, message);
        if (status.Changes(pool, state))
        {
            // Once per new reason or message (not per pass): the Event says what the condition says, where users look.
            events.Record(
                new EventTarget(pool.ApiVersion, pool.Kind, "default", pool.Metadata.Name, pool.Metadata.Uid),
                EventRecorder.Warning, "DHCPAgentNotCreated", message);
        }

        return await status.WriteAsync(pool, state, cancellationToken);
    }

    [LoggerMessage(EventId = 1230, Level = LogLevel.Information, Message = "Pool {Pool}: created its DHCP agent {Deployment} on {Network}")]
    private static partial void LogCreated(ILogger logger, string pool, string deployment, string network);

    [LoggerMessage(EventId = 1231, Level = LogLevel.Information, Message = "Pool {Pool}: rolled its DHCP agent {Deployment} (network {Network} or server address changed)")]
    private static partial void LogRolled(ILogger logger, string pool, string deployment, string network);

    [LoggerMessage(EventId = 1232, Level = LogLevel.Information, Message = "Pool {Pool}: runs an external agent; deleted its DHCP agent {Deployment}")]
    private static partial void LogDeleted(ILogger logger, string pool, string deployment);

    [LoggerMessage(EventId = 1233, Level = LogLevel.Warning, Message = "Pool {Pool}: writing its DHCP agent {Deployment} failed with {Status}: {Body}; retrying")]
    private static partial void LogWriteFailed(ILogger logger, string pool, string deployment, int status, string body);
}
