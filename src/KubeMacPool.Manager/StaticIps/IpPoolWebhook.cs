using k8s;
using KubeMacPool.Core.Ipv4;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.StaticIps;

/// <summary>
/// <c>/validate-ippools</c>: refuses a pool whose geometry or options are wrong, or that overlaps another pool on the
/// same network, with every problem in one message. Other pools are read from the API (pools are few and rarely
/// written), so the answer never depends on a watch being in step.
/// </summary>
internal sealed class IpPoolWebhook(IKubernetes client) : IAdmissionWebhook
{
    public string Name => "validateippools.kubemacpool.io";

    public async ValueTask<AdmissionResult> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        IpPool? pool;
        try
        {
            pool = KubernetesJson.Deserialize<IpPool>(request.Object!.Value.GetRawText());
        }
        catch (System.Text.Json.JsonException e)
        {
            return AdmissionResult.BadRequest("the IPPool is malformed: " + e.Message);
        }

        if (pool is null)
        {
            return AdmissionResult.BadRequest("the IPPool is malformed");
        }

        var others = await client.CustomObjects.ListClusterCustomObjectAsync<IpPoolList>(
            IpPool.Group, IpPool.Version, IpPool.Plural, cancellationToken: cancellationToken);
        var accepted = new List<IpPoolDefinition>();
        foreach (var other in others.Items.Where(o => o.Metadata.Name != pool.Metadata.Name).OrderBy(o => o.Metadata.Name, StringComparer.Ordinal))
        {
            if (IpPoolValidator.Validate(other.ToInput(), accepted).Definition is { } definition)
            {
                accepted.Add(definition);
            }
        }

        var validation = IpPoolValidator.Validate(pool.ToInput(), accepted);
        return validation.IsValid
            ? AdmissionResult.Allow(message: validation.Notes.Count == 0 ? null : string.Join("; ", validation.Notes))
            : AdmissionResult.Deny($"IPPool {pool.Metadata.Name} is invalid: {validation.ErrorMessage}", 422);
    }
}
