using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Kubernetes.Watching;

/// <summary>The list+watch clients of every resource the service follows.</summary>
internal static class ResourceClients
{
    public static IResourceClient<V1Namespace> Namespaces(IKubernetes client) =>
        new ResourceClient<V1Namespace, V1NamespaceList>("namespaces", (c, ct) =>
            client.CoreV1.ListNamespaceWithHttpMessagesAsync(
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<V1Pod> Pods(IKubernetes client) =>
        new ResourceClient<V1Pod, V1PodList>("pods", (c, ct) =>
            client.CoreV1.ListPodForAllNamespacesWithHttpMessagesAsync(
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<V1MutatingWebhookConfiguration> MutatingWebhookConfiguration(IKubernetes client, string name) =>
        new ResourceClient<V1MutatingWebhookConfiguration, V1MutatingWebhookConfigurationList>(
            "mutatingwebhookconfigurations", (c, ct) =>
                client.AdmissionregistrationV1.ListMutatingWebhookConfigurationWithHttpMessagesAsync(
                    allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                    fieldSelector: "metadata.name=" + name, limit: c.Limit, resourceVersion: c.ResourceVersion,
                    timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null, cancellationToken: ct));

    public static IResourceClient<V1ConfigMap> ConfigMap(IKubernetes client, string @namespace, string name) =>
        new ResourceClient<V1ConfigMap, V1ConfigMapList>("configmaps", (c, ct) =>
            client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(
                @namespace, allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                fieldSelector: "metadata.name=" + name, limit: c.Limit, resourceVersion: c.ResourceVersion,
                timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null, cancellationToken: ct));

    public static IResourceClient<VirtualMachine> VirtualMachines(IKubernetes client) =>
        new ResourceClient<VirtualMachine, VirtualMachineList>(VirtualMachine.Plural, (c, ct) =>
            client.CustomObjects.ListCustomObjectForAllNamespacesWithHttpMessagesAsync<VirtualMachineList>(
                VirtualMachine.Group, VirtualMachine.Version, VirtualMachine.Plural,
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<VirtualMachineInstance> VirtualMachineInstances(IKubernetes client) =>
        new ResourceClient<VirtualMachineInstance, VirtualMachineInstanceList>(VirtualMachineInstance.Plural, (c, ct) =>
            client.CustomObjects.ListCustomObjectForAllNamespacesWithHttpMessagesAsync<VirtualMachineInstanceList>(
                VirtualMachineInstance.Group, VirtualMachineInstance.Version, VirtualMachineInstance.Plural,
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<IpPool> IpPools(IKubernetes client, string? name = null) =>
        new ResourceClient<IpPool, IpPoolList>(IpPool.Plural, (c, ct) =>
            client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<IpPoolList>(
                IpPool.Group, IpPool.Version, IpPool.Plural,
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                fieldSelector: name is null ? null : "metadata.name=" + name, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<IpReservation> IpReservations(IKubernetes client) =>
        new ResourceClient<IpReservation, IpReservationList>(IpReservation.Plural, (c, ct) =>
            client.CustomObjects.ListCustomObjectForAllNamespacesWithHttpMessagesAsync<IpReservationList>(
                IpPool.Group, IpPool.Version, IpReservation.Plural,
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));
}
