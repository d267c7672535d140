using System.Collections.Concurrent;

namespace KubeMacPool.Manager.Controllers;

/// <summary>Which VirtualMachines exist, kept by the VM controller; the pod webhook asks it about virt-launcher pods.</summary>
internal sealed class KnownVirtualMachines
{
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);

    public bool Contains(string @namespace, string name) => _names.ContainsKey(@namespace + "/" + name);

    public void Add(string @namespace, string name) => _names[@namespace + "/" + name] = 0;

    public void Remove(string @namespace, string name) => _names.TryRemove(@namespace + "/" + name, out _);

    public void ReplaceAll(IEnumerable<(string Namespace, string Name)> names)
    {
        var keep = names.Select(n => n.Namespace + "/" + n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var key in keep)
        {
            _names[key] = 0;
        }

        foreach (var key in _names.Keys.Where(k => !keep.Contains(k)))
        {
            _names.TryRemove(key, out _);
        }
    }
}
