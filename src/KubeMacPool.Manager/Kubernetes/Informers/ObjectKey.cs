using k8s;
using k8s.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// A cached object's key: its own namespace and name strings (no string of its own). Its text form is
/// <c>namespace/name</c> (<c>name</c> for cluster-scoped kinds), and <see cref="Comparer"/> matches that text too, so a
/// lookup by a queue's string key allocates nothing.
/// </summary>
internal readonly struct ObjectKey(string? @namespace, string name)
{
    public static readonly KeyComparer Comparer = new();

    public string Namespace { get; } = @namespace ?? "";

    public string Name { get; } = name;

    public static ObjectKey Of<T>(T item)
        where T : IKubernetesObject<V1ObjectMeta> => new(item.Metadata.NamespaceProperty, item.Metadata.Name);

    public override string ToString() => Namespace.Length == 0 ? Name : Namespace + "/" + Name;

    /// <summary>Splits <c>namespace/name</c> at its first slash (neither part may contain one).</summary>
    private static void Split(ReadOnlySpan<char> text, out ReadOnlySpan<char> @namespace, out ReadOnlySpan<char> name)
    {
        var slash = text.IndexOf('/');
        @namespace = slash < 0 ? [] : text[..slash];
        name = slash < 0 ? text : text[(slash + 1)..];
    }

    private static int Hash(ReadOnlySpan<char> @namespace, ReadOnlySpan<char> name) =>
        HashCode.Combine(string.GetHashCode(@namespace, StringComparison.Ordinal), string.GetHashCode(name, StringComparison.Ordinal));

    internal sealed class KeyComparer : IEqualityComparer<ObjectKey>, IAlternateEqualityComparer<ReadOnlySpan<char>, ObjectKey>
    {
        public bool Equals(ObjectKey x, ObjectKey y) =>
            string.Equals(x.Name, y.Name, StringComparison.Ordinal) && string.Equals(x.Namespace, y.Namespace, StringComparison.Ordinal);

        public int GetHashCode(ObjectKey key) => Hash(key.Namespace, key.Name);

        public bool Equals(ReadOnlySpan<char> text, ObjectKey key)
        {
            Split(text, out var ns, out var name);
            return ns.SequenceEqual(key.Namespace) && name.SequenceEqual(key.Name);
        }

        public int GetHashCode(ReadOnlySpan<char> text)
        {
            Split(text, out var ns, out var name);
            return Hash(ns, name);
        }

        public ObjectKey Create(ReadOnlySpan<char> text)
        {
            Split(text, out var ns, out var name);
            return new ObjectKey(ns.ToString(), name.ToString());
        }
    }
}
