namespace KubeMacPool.Core.Ipv4;

/// <summary>
/// The outcome of validating one pool: a definition when there is no error, the errors (each a sentence that names
/// the field and the fix), and notes about what was adjusted (server or router auto-excluded from the range).
/// </summary>
public sealed record IpPoolValidation(IpPoolDefinition? Definition, IReadOnlyList<string> Errors, IReadOnlyList<string> Notes)
{
    public bool IsValid => Definition is not null;

    /// <summary>All errors in one message, as an admission denial or a condition shows it.</summary>
    public string ErrorMessage => string.Join("; ", Errors);
}
