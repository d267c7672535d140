using k8s.Models;
using KubeMacPool.Manager.Namespaces;

namespace KubeMacPool.Manager.Tests.Namespaces;

public class WebhookSelectorTests
{
    private const string Webhook = "mutatevirtualmachines.kubemacpool.io";

    private static V1MutatingWebhookConfiguration Configuration(params V1LabelSelectorRequirement[] expressions) => new()
    {
        Metadata = new V1ObjectMeta { Name = "kubemacpool-mutator" },
        Webhooks =
        [
            new V1MutatingWebhook
            {
                Name = Webhook,
                NamespaceSelector = new V1LabelSelector
                {
                    MatchExpressions =
                    [
                        new V1LabelSelectorRequirement { Key = "runlevel", OperatorProperty = "NotIn", Values = ["0", "1"] },
                        new V1LabelSelectorRequirement { Key = "openshift.io/run-level", OperatorProperty = "NotIn", Values = ["0", "1"] },
                        .. expressions,
                    ],
                },
            },
        ],
    };

    private static readonly V1LabelSelectorRequirement OptOut = new() { Key = Webhook, OperatorProperty = "NotIn", Values = ["ignore"] };
    private static readonly V1LabelSelectorRequirement OptIn = new() { Key = Webhook, OperatorProperty = "In", Values = ["allocate"] };

    [Theory]
    [InlineData(true, null, null, true)]
    [InlineData(true, Webhook, "ignore", false)]
    [InlineData(true, Webhook, "disable", true)]
    [InlineData(false, null, null, false)]
    [InlineData(false, Webhook, "allocate", true)]
    [InlineData(true, "runlevel", "0", false)]
    [InlineData(false, "openshift.io/run-level", "1", false)]
    public void Managed_namespaces_follow_the_spec_table(bool optOut, string? key, string? value, bool managed)
    {
        Assert.True(WebhookSelector.TryRead(Configuration(optOut ? OptOut : OptIn), Webhook, out var selector, out var error), error);
        Assert.Equal(optOut ? OptMode.OptOut : OptMode.OptIn, selector!.Mode);
        var labels = key is null ? null : new Dictionary<string, string> { [key] = value! };
        Assert.Equal(managed, selector.IsManaged(labels));
    }

    [Fact]
    public void A_selector_without_an_opt_expression_is_an_error()
    {
        Assert.False(WebhookSelector.TryRead(Configuration(), Webhook, out _, out var error));
        Assert.Equal($"no opt mode defined for webhook {Webhook}", error);
    }

    [Fact]
    public void A_missing_webhook_is_an_error()
    {
        Assert.False(WebhookSelector.TryRead(Configuration(OptIn), "mutatepods.kubemacpool.io", out _, out var error));
        Assert.Equal("webhook mutatepods.kubemacpool.io was not found on mutatingWebhookConfig kubemacpool-mutator", error);
    }

    [Fact]
    public void Match_labels_allocate_means_opt_in()
    {
        var configuration = Configuration();
        configuration.Webhooks[0].NamespaceSelector.MatchLabels = new Dictionary<string, string> { [Webhook] = "allocate" };
        Assert.True(WebhookSelector.TryRead(configuration, Webhook, out var selector, out _));
        Assert.Equal(OptMode.OptIn, selector!.Mode);
    }

    [Theory]
    [InlineData("Exists", null, true)]
    [InlineData("DoesNotExist", null, false)]
    [InlineData("Bogus", null, false)]
    public void Label_selector_operators_evaluate_like_the_api_server(string op, string? _, bool expected) =>
        Assert.Equal(expected, LabelSelectorEvaluator.Matches(
            new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "k", OperatorProperty = op }] },
            new Dictionary<string, string> { ["k"] = "v" }));
}
