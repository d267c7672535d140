using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeMacPool.FuncTests.Harness;

/// <summary>One webhook entry of a MutatingWebhookConfiguration a test registers.</summary>
public sealed record WebhookSpec(
    string Name,
    string Path,
    V1RuleWithOperations Rule,
    V1LabelSelector? NamespaceSelector = null,
    V1LabelSelector? ObjectSelector = null,
    string FailurePolicy = "Fail",
    int TimeoutSeconds = 10);

/// <summary>
/// Registers MutatingWebhookConfigurations: with the local control plane the client config is a URL on
/// 127.0.0.1 with a caBundle; with an external cluster it is a Service.
/// </summary>
public static class WebhookRegistration
{
    public static async Task<V1MutatingWebhookConfiguration> RegisterAsync(
        this IKubernetes client, string configurationName, int port, byte[] caBundle, IEnumerable<WebhookSpec> webhooks,
        (string Namespace, string Name)? service = null)
    {
        var configuration = new V1MutatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = configurationName },
            Webhooks = webhooks.Select(w => new V1MutatingWebhook
            {
                Name = w.Name,
                AdmissionReviewVersions = ["v1", "v1beta1"],
                SideEffects = "NoneOnDryRun",
                FailurePolicy = w.FailurePolicy,
                TimeoutSeconds = w.TimeoutSeconds,
                NamespaceSelector = w.NamespaceSelector,
                ObjectSelector = w.ObjectSelector,
                Rules = [w.Rule],
                ClientConfig = service is { } svc
                    ? new Admissionregistrationv1WebhookClientConfig
                    {
                        CaBundle = caBundle,
                        Service = new Admissionregistrationv1ServiceReference { NamespaceProperty = svc.Namespace, Name = svc.Name, Path = w.Path, Port = 443 },
                    }
                    : new Admissionregistrationv1WebhookClientConfig { CaBundle = caBundle, Url = $"https://127.0.0.1:{port}{w.Path}" },
            }).ToList(),
        };

        await DeleteAsync(client, configurationName);
        return await client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(configuration);
    }

    public static async Task DeleteAsync(IKubernetes client, string configurationName)
    {
        try
        {
            await client.AdmissionregistrationV1.DeleteMutatingWebhookConfigurationAsync(configurationName);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    public static V1RuleWithOperations PodCreateRule() =>
        new() { ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"], Operations = ["CREATE"] };
}
