using k8s;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Certificates.Rotation;

internal static class CertificateResourceClients
{
    /// <summary>List+watch of one Secret by name (a field selector: the watch carries nothing else).</summary>
    public static IResourceClient<V1Secret> Secret(IKubernetes client, string @namespace, string name) =>
        new ResourceClient<V1Secret, V1SecretList>("secrets/" + name, (c, ct) =>
            client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(
                @namespace, allowWatchBookmarks: c.Watch ? true : null, continueParameter: c.Continue,
                fieldSelector: "metadata.name=" + name, limit: c.Limit, resourceVersion: c.ResourceVersion,
                timeoutSeconds: c.TimeoutSeconds, watch: c.Watch ? true : null, cancellationToken: ct));
}
