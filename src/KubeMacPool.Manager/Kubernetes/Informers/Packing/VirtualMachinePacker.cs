using System.Text.Json;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Models;

namespace KubeMacPool.Manager.Kubernetes.Informers.Packing;

/// <summary>A cached VirtualMachine as bytes: the fields <see cref="CacheTrims.VirtualMachine"/> keeps, its packed spec as is.</summary>
internal sealed class VirtualMachinePacker : IObjectPacker<VirtualMachine>
{
    public static readonly VirtualMachinePacker Instance = new();

    // How the spec is held: none, its two arrays (the usual shape, ~70 bytes of wrapper less per VM), or whole.
    private const byte SpecNone = 0;
    private const byte SpecArrays = 1;
    private const byte SpecWhole = 2;

    private static readonly string DefaultApiVersion = new VirtualMachine().ApiVersion;
    private static readonly string DefaultKind = new VirtualMachine().Kind;

    // One buffer per thread: packing is synchronous, so a thread never packs two objects at once.
    [ThreadStatic]
    private static PackedWriter? _writer;

    public byte[] Pack(VirtualMachine item)
    {
        var writer = _writer ??= new PackedWriter();
        var metadata = item.Metadata;
        writer.String(item.ApiVersion == DefaultApiVersion ? null : item.ApiVersion);
        writer.String(item.Kind == DefaultKind ? null : item.Kind);
        writer.Uid(metadata.Uid);
        writer.Int64(metadata.Generation);
        writer.Timestamp(metadata.DeletionTimestamp);
        writer.Strings(metadata.Finalizers);
        writer.Kept(metadata.Annotations, CacheTrims.KeptVirtualMachineAnnotations);
        // Not in the cached shape (no trim): the spec as JSON all the same.
        var spec = item.PackedSpec ?? (item.Spec is { } tree ? JsonSerializer.SerializeToUtf8Bytes(tree) : (ReadOnlyMemory<byte>?)null);
        if (spec is not { } json)
        {
            writer.Byte(SpecNone);
        }
        else if (VirtualMachineSpecs.TrySplit(json.Span, out var interfaces, out var networks))
        {
            writer.Byte(SpecArrays);
            writer.Bytes(interfaces);
            writer.Bytes(networks);
        }
        else
        {
            writer.Byte(SpecWhole);
            writer.Bytes(json.Span);
        }

        return writer.ToArrayAndReset();
    }

    public VirtualMachine Unpack(ObjectKey key, ReadOnlySpan<byte> packed)
    {
        var reader = new PackedReader(packed);
        var vm = new VirtualMachine
        {
            ApiVersion = CacheTrims.Intern(reader.String()) ?? DefaultApiVersion,
            Kind = CacheTrims.Intern(reader.String()) ?? DefaultKind,
            Metadata = new V1ObjectMeta
            {
                Name = key.Name,
                NamespaceProperty = key.Namespace.Length == 0 ? null : key.Namespace,
                Uid = reader.Uid(),
                Generation = reader.Int64(),
                DeletionTimestamp = reader.Timestamp(),
                Finalizers = reader.Strings(),
                Annotations = reader.Kept(CacheTrims.KeptVirtualMachineAnnotations, internValues: false),
            },
        };
        vm.PackSpec(reader.Byte() switch
        {
            SpecArrays => VirtualMachineSpecs.Join(reader.Span(), reader.Span()),
            SpecWhole => reader.Span().ToArray(),
            _ => null,
        });
        return vm;
    }
}
