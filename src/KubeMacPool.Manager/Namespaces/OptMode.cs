namespace KubeMacPool.Manager.Namespaces;

/// <summary>
/// How a webhook picks namespaces: opt-in serves only namespaces labelled <c>allocate</c>; opt-out serves every
/// namespace except those labelled <c>ignore</c>.
/// </summary>
internal enum OptMode
{
    OptIn,
    OptOut,
}
