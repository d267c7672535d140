using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;
using KubeMacPool.Manager.Kubernetes.Reconciling;

namespace KubeMacPool.Manager.StaticIps.Agents;

/// <summary>The agent part of a pool's status: the Deployment's name and the <c>AgentReady</c> condition.</summary>
internal sealed record AgentState(string? Agent, bool Ready, string Reason, string Message);

/// <summary>
/// Writes only the agent part of an IPPool's status (<c>status.agent</c>, the <c>AgentReady</c> condition), beside
/// the reservation controller's part (<see cref="PoolStatusWriter"/>, which carries ours over). The JSON patch tests
/// the resourceVersion the cached pool had, so the other writer's conditions, sent back unchanged, are never
/// overwritten with stale ones: a concurrent write is a 422 and a retry. Should the other writer carry over a stale
/// copy of ours, the pool's watch event brings us back and the cache, now newer than our write, shows the difference.
/// </summary>
internal sealed partial class AgentStatusWriter(IKubernetes client, TimeProvider time, ILogger<AgentStatusWriter> logger)
{
    public const string ConditionType = "AgentReady";

    // Per pool: the resourceVersion our last write was tested against and what it wrote. Trusted only while the cache
    // still shows that version (it has not caught up with our write); any newer version is the truth.
    private readonly ConcurrentDictionary<string, (string? Uid, string? ResourceVersion, V1Condition? Condition, string Json)> _written =
        new(StringComparer.Ordinal);

    public void Forget(string pool) => _written.TryRemove(pool, out _);

    /// <summary>Whether <paramref name="state"/> differs from what the pool shows (or what we last wrote to it).</summary>
    public bool Changes(IpPool pool, AgentState? state) => Render(pool, state).Json != Shown(pool).Json;

    /// <summary>Writes the agent part when it changed; null removes it (an external agent).</summary>
    public async Task<ReconcileResult> WriteAsync(IpPool pool, AgentState? state, CancellationToken cancellationToken)
    {
        var (condition, json) = Render(pool, state);
        if (json == Shown(pool).Json)
        {
            return ReconcileResult.Done;
        }

        var patch = new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = pool.Metadata.ResourceVersion });
        var conditions = (pool.Status?.Conditions ?? []).Where(c => c.Type != ConditionType).Concat(condition is null ? [] : [condition]).ToList();
        if (pool.Status is null)
        {
            patch.Add(Op("add", "/status", new JsonObject { ["agent"] = state?.Agent, ["conditions"] = Json(conditions) }));
        }
        else
        {
            if (state?.Agent is { } agent)
            {
                patch.Add(Op("add", "/status/agent", agent));
            }
            else if (pool.Status.Agent is not null)
            {
                patch.Add(new JsonObject { ["op"] = "remove", ["path"] = "/status/agent" });
            }

            patch.Add(Op("add", "/status/conditions", Json(conditions)));
        }

        var written = ObjectPatches.IgnoreNotFound(client.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), IpPool.Group, IpPool.Version, IpPool.Plural, pool.Metadata.Name,
            cancellationToken: cancellationToken));
        try
        {
            await written;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.UnprocessableEntity && !e.Response.Content.Contains("\"causes\"", StringComparison.Ordinal))
        {
            // The test op failed: the pool changed after the cached version (usually the reservation controller's
            // status write just after a create). Not worth a warning; the retry reads the newer version.
            LogStale(logger, pool.Metadata.Name);
            return ReconcileResult.Failed;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            LogWriteFailed(logger, pool.Metadata.Name, (e as HttpOperationException)?.Response.Content ?? e.Message);
            return ReconcileResult.Failed;
        }

        _written[pool.Metadata.Name] = (pool.Metadata.Uid, pool.Metadata.ResourceVersion, condition, json);
        return ReconcileResult.Done;
    }

    private (V1Condition? Condition, string Json) Render(IpPool pool, AgentState? state)
    {
        var condition = state is null
            ? null
            : GuardedWrite.Condition(ConditionType, state.Ready, state.Reason, state.Message, Shown(pool).Condition, pool.Metadata.Generation, time);
        return (condition, KubernetesJson.Serialize(new IpPoolStatus { Agent = state?.Agent, Conditions = condition is null ? null : [condition] }));
    }

    private (V1Condition? Condition, string Json) Shown(IpPool pool)
    {
        if (_written.TryGetValue(pool.Metadata.Name, out var w) && w.Uid == pool.Metadata.Uid && w.ResourceVersion == pool.Metadata.ResourceVersion)
        {
            return (w.Condition, w.Json);
        }

        var condition = pool.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionType);
        return (condition, KubernetesJson.Serialize(new IpPoolStatus { Agent = pool.Status?.Agent, Conditions = condition is null ? null : [condition] }));
    }

    private static JsonObject Op(string op, string path, JsonNode? value) => new() { ["op"] = op, ["path"] = path, ["value"] = value };

    private static JsonNode? Json(IList<V1Condition> conditions) => JsonNode.Parse(KubernetesJson.Serialize(conditions));

    [LoggerMessage(EventId = 1235, Level = LogLevel.Debug, Message = "Pool {Pool} changed while its agent status was written; reading it again")]
    private static partial void LogStale(ILogger logger, string pool);

    [LoggerMessage(EventId = 1236, Level = LogLevel.Warning, Message = "Writing the agent status of IPPool {Pool} failed: {Error}; retrying")]
    private static partial void LogWriteFailed(ILogger logger, string pool, string error);
}
