namespace KubeMacPool.Core.Networks;

public enum NetworkAnnotationForm
{
    /// <summary>The pod has no networks annotation.</summary>
    Absent,

    /// <summary>"net1,ns/net2@eth1": the short form, which the MAC webhook leaves alone (as upstream).</summary>
    CommaForm,

    /// <summary>A JSON list of network selection elements (possibly empty).</summary>
    JsonList,

    /// <summary>Something Multus refuses too: the pod is denied with <see cref="NetworkAnnotation.Error"/>.</summary>
    Invalid,
}

/// <summary>
/// What the networks annotation holds. <see cref="Elements"/> are the parsed elements of a JSON list (or, from
/// <see cref="NetworkSelectionAnnotation.ParseCommaForm"/>, of the short form); empty otherwise.
/// </summary>
public sealed record NetworkAnnotation(NetworkAnnotationForm Form, IReadOnlyList<NetworkSelectionElement> Elements, string? Error)
{
    internal static readonly NetworkAnnotation Absent = new(NetworkAnnotationForm.Absent, [], null);

    internal static readonly NetworkAnnotation CommaForm = new(NetworkAnnotationForm.CommaForm, [], null);

    internal static NetworkAnnotation Of(NetworkAnnotationForm form, IReadOnlyList<NetworkSelectionElement> elements) => new(form, elements, null);

    internal static NetworkAnnotation Invalid(string error) => new(NetworkAnnotationForm.Invalid, [], error);
}
