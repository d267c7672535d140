namespace KubeMacPool.Core.Pool;

/// <summary>The object a MAC belongs to: <c>vm/&lt;ns&gt;/&lt;name&gt;</c> or <c>pod/&lt;ns&gt;/&lt;name&gt;</c>.</summary>
public readonly record struct MacOwner
{
    public const string VirtualMachineKind = "vm";
    public const string PodKind = "pod";

    public static MacOwner VirtualMachine(string @namespace, string name) => new(VirtualMachineKind, @namespace, name);

    public static MacOwner Pod(string @namespace, string name) => new(PodKind, @namespace, name);

    public MacOwner(string kind, string @namespace, string name)
    {
        Kind = kind;
        Namespace = @namespace;
        Name = name;
        Key = $"{kind}/{@namespace}/{name}";
    }

    public string Kind { get; }

    public string Namespace { get; }

    public string Name { get; }

    /// <summary>Built once: the pool keeps this very string as the owner's identity.</summary>
    public string Key { get; }

    public bool IsVirtualMachine => Kind == VirtualMachineKind;

    public static MacOwner FromKey(string key)
    {
        var parts = key.Split('/', 3);
        return parts.Length == 3 ? new MacOwner(parts[0], parts[1], parts[2]) : throw new FormatException($"not an owner key: {key}");
    }

    public override string ToString() => Key;
}
