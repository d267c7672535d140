using System.Text.Json;
using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// What the caches keep of each object. managedFields go everywhere (often the largest part of an object and read
/// by nobody). Pods and VMs, the kinds that number in the hundred thousands, keep only what the pool, the collision
/// checks and the IP controllers read: not their resourceVersion (the informer resumes from the event's, before the
/// trim, and nobody writes a cached pod or VM back), and every string that repeats across objects (namespaces, kinds,
/// label values, annotation keys) as one shared instance.
/// </summary>
internal static class CacheTrims
{
    public static readonly string[] KeptVirtualMachineAnnotations = [WellKnown.TransactionTimestampAnnotation, WellKnown.PinnedIpsAnnotation];

    public static readonly string[] KeptPodLabels = [WellKnown.KubeVirtLabel];

    public static readonly string[] KeptPodAnnotations = [WellKnown.NetworksAnnotation, WellKnown.NetworkStatusAnnotation];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, V1PodStatus> PodPhases = new(StringComparer.Ordinal);

    public static T WithoutManagedFields<T>(T item)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        if (item.Metadata is { } metadata)
        {
            metadata.ManagedFields = null;
        }

        return item;
    }

    public static V1Namespace Namespace(V1Namespace ns) => new()
    {
        ApiVersion = ns.ApiVersion,
        Kind = ns.Kind,
        Metadata = new V1ObjectMeta
        {
            Name = ns.Metadata.Name,
            Uid = ns.Metadata.Uid,
            ResourceVersion = ns.Metadata.ResourceVersion,
            Labels = ns.Metadata.Labels,
            DeletionTimestamp = ns.Metadata.DeletionTimestamp,
        },
    };

    /// <summary>
    /// Identity, owners, the Multus annotations, the KubeVirt label and the phase. Pods from the API are read straight
    /// into this shape (<see cref="PodReader"/>, which keeps the same fields plus the resourceVersion the watcher
    /// resumes from): those only lose that version here.
    /// </summary>
    public static V1Pod Pod(V1Pod pod)
    {
        if (pod is CachedPod cached)
        {
            cached.Metadata.ResourceVersion = null;
            return cached;
        }

        return new V1Pod
        {
            ApiVersion = Intern(pod.ApiVersion),
            Kind = Intern(pod.Kind),
            Metadata = new V1ObjectMeta
            {
                Name = pod.Metadata.Name,
                NamespaceProperty = Intern(pod.Metadata.NamespaceProperty),
                Uid = pod.Metadata.Uid,
                DeletionTimestamp = pod.Metadata.DeletionTimestamp,
                Labels = Only(pod.Metadata.Labels, internValues: true, KeptPodLabels),
                Annotations = Only(pod.Metadata.Annotations, internValues: false, KeptPodAnnotations),
                OwnerReferences = pod.Metadata.OwnerReferences?
                    .Select(o => new V1OwnerReference { ApiVersion = Intern(o.ApiVersion), Kind = Intern(o.Kind), Name = o.Name, Uid = o.Uid, Controller = o.Controller })
                    .ToList(),
            },
            Status = PodPhase(pod.Status?.Phase),
        };
    }

    /// <summary>
    /// Identity, owners, labels, annotations and the status: the DHCP agent controller compares the hash annotation of
    /// its own rendering, never the spec, and reads availability from the status.
    /// </summary>
    public static V1Deployment Deployment(V1Deployment deployment) => new()
    {
        ApiVersion = deployment.ApiVersion,
        Kind = deployment.Kind,
        Metadata = new V1ObjectMeta
        {
            Name = deployment.Metadata.Name,
            NamespaceProperty = deployment.Metadata.NamespaceProperty,
            Uid = deployment.Metadata.Uid,
            ResourceVersion = deployment.Metadata.ResourceVersion,
            Generation = deployment.Metadata.Generation,
            DeletionTimestamp = deployment.Metadata.DeletionTimestamp,
            Labels = deployment.Metadata.Labels,
            Annotations = deployment.Metadata.Annotations,
            OwnerReferences = deployment.Metadata.OwnerReferences,
        },
        Status = deployment.Status,
    };

    /// <summary>
    /// Identity, finalizers, our annotations, and the interfaces and networks of the template. The first list is read
    /// straight into this shape (<see cref="VirtualMachineReader"/>, which keeps the same fields); watch events
    /// arrive whole and are trimmed here.
    /// </summary>
    public static Models.VirtualMachine VirtualMachine(Models.VirtualMachine vm)
    {
        if (vm.IsPacked)
        {
            return vm;
        }

        var trimmed = new Models.VirtualMachine
        {
            ApiVersion = Intern(vm.ApiVersion)!,
            Kind = Intern(vm.Kind)!,
            Metadata = new V1ObjectMeta
            {
                Name = vm.Metadata.Name,
                NamespaceProperty = Intern(vm.Metadata.NamespaceProperty),
                Uid = vm.Metadata.Uid,
                Generation = vm.Metadata.Generation,
                DeletionTimestamp = vm.Metadata.DeletionTimestamp,
                Finalizers = vm.Metadata.Finalizers,
                Annotations = Only(vm.Metadata.Annotations, internValues: false, KeptVirtualMachineAnnotations),
            },
        };
        trimmed.PackSpec(vm.Spec is { } spec ? VirtualMachineSpecs.Pack(JsonSerializer.SerializeToElement(spec)) : null);
        return trimmed;
    }

    /// <summary>Namespaces and kinds repeat across thousands of objects: one string each, not one per object.</summary>
    public static string? Intern(string? value) => value is null ? null : string.Intern(value);

    /// <summary>The entries of <paramref name="keys"/> (the keys are these shared constants, never the object's copies).</summary>
    private static CompactMap? Only(IDictionary<string, string>? map, bool internValues, params ReadOnlySpan<string> keys)
    {
        if (map is null)
        {
            return null;
        }

        List<KeyValuePair<string, string>>? kept = null;
        foreach (var key in keys)
        {
            if (map.TryGetValue(key, out var value))
            {
                (kept ??= new List<KeyValuePair<string, string>>(keys.Length)).Add(new(key, internValues ? string.Intern(value) : value));
            }
        }

        return kept is null ? null : new CompactMap([.. kept]);
    }

    /// <summary>One status object per phase, shared by every cached pod in it (they are read-only).</summary>
    public static V1PodStatus? PodPhase(string? phase) =>
        phase is null ? null : PodPhases.GetOrAdd(phase, p => new V1PodStatus { Phase = p });
}
