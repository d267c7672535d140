using k8s;
using k8s.Models;
using KubeMacPool.FuncTests.Infrastructure;

namespace KubeMacPool.FuncTests.Dhcp;

/// <summary>
/// The real manager (mutating webhooks as in the service tests) plus the static-DHCP validating webhooks, registered by
/// URL; the manager puts its own CA into their caBundle. The DHCP CRDs are applied first: a cluster started before they existed gets them too.
/// </summary>
public sealed class DhcpServiceFixture(ClusterFixture cluster) : IAsyncLifetime
{
    // The name the manager keeps the CA bundle of in step with kubemacpool-mutator.
    public const string ValidatorName = "kubemacpool-validator";
    public const int WaitTimeSeconds = 5;

    public KubeMacPoolService Service { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.SkipUnless(cluster.IsLocal, "the manager runs as a process on 127.0.0.1, which only the local control plane can call");
        var crds = Path.Combine(RepositoryPaths.Locate().Root, "hack", "crds", "kubemacpool-dhcp.yaml");
        var applied = await ProcessRunner.RunAsync("kubectl", ["--kubeconfig", cluster.KubeconfigPath, "apply", "-f", crds], TimeSpan.FromMinutes(1));
        Assert.True(applied.Succeeded, applied.Describe());
        await Eventually.TrueAsync(async () =>
        {
            var crd = await cluster.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("ipreservations.kubemacpool.io");
            return crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
        }, "the DHCP CRDs are established");

        Service = await KubeMacPoolService.StartAsync(cluster, WaitTimeSeconds);
        await DeleteValidatorAsync();
        await cluster.Client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = ValidatorName },
            Webhooks =
            [
                Webhook("validateippools.kubemacpool.io", "/validate-ippools",
                    new V1RuleWithOperations { Operations = ["CREATE", "UPDATE"], ApiGroups = ["kubemacpool.io"], ApiVersions = ["v1alpha1"], Resources = ["ippools"] }),
                Webhook("validatepinnedips.kubemacpool.io", "/validate-virtualmachine-pinned-ips",
                    new V1RuleWithOperations { Operations = ["CREATE", "UPDATE"], ApiGroups = ["kubevirt.io"], ApiVersions = ["v1"], Resources = ["virtualmachines"] }),
            ],
        });
        await Eventually.TrueAsync(async () =>
        {
            var validator = await cluster.Client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(ValidatorName);
            return validator.Webhooks.All(w => w.ClientConfig.CaBundle is { Length: > 0 });
        }, "the manager copies its CA bundle into the validating webhooks");
    }

    public async ValueTask DisposeAsync()
    {
        if (Service is not null)
        {
            await DeleteValidatorAsync();
            await Service.DisposeAsync();
        }
    }

    private V1ValidatingWebhook Webhook(string name, string path, V1RuleWithOperations rule) => new()
    {
        Name = name,
        AdmissionReviewVersions = ["v1"],
        SideEffects = "None",
        FailurePolicy = "Fail",
        Rules = [rule],
        ClientConfig = new Admissionregistrationv1WebhookClientConfig
        {
            Url = $"https://127.0.0.1:{Service.Port}{path}",
        },
        NamespaceSelector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = KubeMacPoolService.VirtualMachinesWebhook, OperatorProperty = "NotIn", Values = ["ignore"] }],
        },
    };

    private async Task DeleteValidatorAsync()
    {
        try
        {
            await cluster.Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(ValidatorName);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }
}
