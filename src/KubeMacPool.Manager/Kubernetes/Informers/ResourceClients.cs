using System.Reflection;
using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>The list+watch clients of every resource the service follows.</summary>
internal static class ResourceClients
{
    public static IResourceClient<V1Namespace> Namespaces(IKubernetes client) =>
        new ResourceClient<V1Namespace, V1NamespaceList>("namespaces", (c, ct) =>
            client.CoreV1.ListNamespaceWithHttpMessagesAsync(
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    /// <summary>Read straight into the cached shape (<see cref="PodReader"/>), never whole.</summary>
    public static IResourceClient<V1Pod> Pods(IKubernetes client) => new PodClient(new RawRequests(client));

    public static IResourceClient<V1MutatingWebhookConfiguration> MutatingWebhookConfiguration(IKubernetes client, string name) =>
        new ResourceClient<V1MutatingWebhookConfiguration, V1MutatingWebhookConfigurationList>(
            "mutatingwebhookconfigurations", (c, ct) =>
                client.AdmissionregistrationV1.ListMutatingWebhookConfigurationWithHttpMessagesAsync(
                    allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                    fieldSelector: "metadata.name=" + name, limit: c.Limit, resourceVersion: c.ResourceVersion,
                    timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null, cancellationToken: ct));

    public static IResourceClient<V1ValidatingWebhookConfiguration> ValidatingWebhookConfiguration(IKubernetes client, string name) =>
        new ResourceClient<V1ValidatingWebhookConfiguration, V1ValidatingWebhookConfigurationList>(
            "validatingwebhookconfigurations", (c, ct) =>
                client.AdmissionregistrationV1.ListValidatingWebhookConfigurationWithHttpMessagesAsync(
                    allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                    fieldSelector: "metadata.name=" + name, limit: c.Limit, resourceVersion: c.ResourceVersion,
                    timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null, cancellationToken: ct));

    public static IResourceClient<V1ConfigMap> ConfigMap(IKubernetes client, string @namespace, string name) =>
        new ResourceClient<V1ConfigMap, V1ConfigMapList>("configmaps", (c, ct) =>
            client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(
                @namespace, allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                fieldSelector: "metadata.name=" + name, limit: c.Limit, resourceVersion: c.ResourceVersion,
                timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null, cancellationToken: ct));

    public static IResourceClient<V1Secret> Secrets(IKubernetes client, string @namespace) =>
        new ResourceClient<V1Secret, V1SecretList>("secrets", (c, ct) =>
            client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(
                @namespace, allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<V1Deployment> Deployments(IKubernetes client, string @namespace) =>
        new ResourceClient<V1Deployment, V1DeploymentList>("deployments", (c, ct) =>
            client.AppsV1.ListNamespacedDeploymentWithHttpMessagesAsync(
                @namespace, allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<VirtualMachine> VirtualMachines(IKubernetes client) =>
        new VirtualMachineClient(new RawRequests(client), CustomObjects<VirtualMachine, VirtualMachineList>(client));

    public static IResourceClient<VirtualMachineInstance> VirtualMachineInstances(IKubernetes client) =>
        CustomObjects<VirtualMachineInstance, VirtualMachineInstanceList>(client);

    /// <summary>Every object of a custom resource, cluster-wide; group, version and plural from T's KubernetesEntity.</summary>
    public static IResourceClient<T> CustomObjects<T, TList>(IKubernetes client)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no [KubernetesEntity] attribute");
        return new ResourceClient<T, TList>(entity.PluralName, (c, ct) =>
            client.CustomObjects.ListCustomObjectForAllNamespacesWithHttpMessagesAsync<TList>(
                entity.Group, entity.ApiVersion, entity.PluralName,
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));
    }

    /// <summary>IP pools are cluster-scoped; the DHCP agent follows just its own (<paramref name="name"/>).</summary>
    public static IResourceClient<IpPool> IpPools(IKubernetes client, string? name = null) =>
        new ResourceClient<IpPool, IpPoolList>(IpPool.Plural, (c, ct) =>
            client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<IpPoolList>(
                IpPool.Group, IpPool.Version, IpPool.Plural,
                allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                fieldSelector: name is null ? null : "metadata.name=" + name, limit: c.Limit,
                resourceVersion: c.ResourceVersion, timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null,
                cancellationToken: ct));

    public static IResourceClient<IpReservation> IpReservations(IKubernetes client) =>
        CustomObjects<IpReservation, IpReservationList>(client);
}
