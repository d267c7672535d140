using k8s.Models;

namespace KubeMacPool.Manager.Namespaces;

/// <summary>
/// One webhook's live namespaceSelector and the opt mode it expresses. Read from the
/// MutatingWebhookConfiguration so that an edit of the selector takes effect while the service runs.
/// </summary>
internal sealed record WebhookSelector(string WebhookName, OptMode Mode, V1LabelSelector Selector)
{
    /// <summary>Derives the opt mode from the webhook's selector, with upstream's error messages.</summary>
    public static bool TryRead(
        V1MutatingWebhookConfiguration configuration, string webhookName, out WebhookSelector? selector, out string? error)
    {
        selector = null;
        var webhook = configuration.Webhooks?.FirstOrDefault(w => w.Name == webhookName);
        if (webhook is null)
        {
            error = $"webhook {webhookName} was not found on mutatingWebhookConfig {configuration.Metadata?.Name}";
            return false;
        }

        if (webhook.NamespaceSelector is not { } namespaceSelector)
        {
            error = $"webhook {webhookName} has no NamespaceSelector";
            return false;
        }

        OptMode? mode = null;
        foreach (var e in namespaceSelector.MatchExpressions ?? [])
        {
            if (e.Key == webhookName && e.Values is [var only])
            {
                mode = (e.OperatorProperty, only) switch
                {
                    ("In", WellKnown.OptInValue) => OptMode.OptIn,
                    ("NotIn", WellKnown.OptOutValue) => OptMode.OptOut,
                    _ => mode,
                };
            }
        }

        if (mode is null && namespaceSelector.MatchLabels?.TryGetValue(webhookName, out var v) == true && v == WellKnown.OptInValue)
        {
            mode = OptMode.OptIn;
        }

        if (mode is null)
        {
            error = $"no opt mode defined for webhook {webhookName}";
            return false;
        }

        selector = new WebhookSelector(webhookName, mode.Value, namespaceSelector);
        error = null;
        return true;
    }

    /// <summary>
    /// Whether a namespace with these labels is managed: the full selector (run-level bypass included) decides,
    /// so that our bookkeeping agrees with which requests the API server sends us.
    /// </summary>
    public bool IsManaged(IDictionary<string, string>? labels) => LabelSelectorEvaluator.Matches(Selector, labels);
}
