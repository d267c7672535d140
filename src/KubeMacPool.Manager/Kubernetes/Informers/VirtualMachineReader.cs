using System.Text.Json;
using k8s.Models;
using KubeMacPool.Manager.Kubernetes.Models;
using static KubeMacPool.Manager.Kubernetes.Informers.JsonTokens;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// Reads one listed VirtualMachine token by token straight into the shape the cache keeps
/// (<see cref="CacheTrims.VirtualMachine"/>): the informer's first list is the largest read of a start, and building
/// every VM whole (managedFields, the full spec as a node tree, the status) only to drop most of it cost more CPU than
/// the pool rebuild itself.
/// </summary>
internal static class VirtualMachineReader
{
    public static VirtualMachine Read(ref Utf8JsonReader reader)
    {
        var vm = new VirtualMachine();
        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "apiVersion"u8))
            {
                vm.ApiVersion = CacheTrims.Intern(String(ref reader)) ?? vm.ApiVersion;
            }
            else if (Take(ref reader, "kind"u8))
            {
                vm.Kind = CacheTrims.Intern(String(ref reader)) ?? vm.Kind;
            }
            else if (Take(ref reader, "metadata"u8))
            {
                vm.Metadata = ReadMetadata(ref reader);
            }
            else if (Take(ref reader, "spec"u8))
            {
                using var spec = JsonDocument.ParseValue(ref reader);
                vm.PackSpec(VirtualMachineSpecs.Pack(spec.RootElement));
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return vm;
    }

    /// <summary>The metadata fields <see cref="CacheTrims.VirtualMachine"/> keeps, and no others.</summary>
    private static V1ObjectMeta ReadMetadata(ref Utf8JsonReader reader)
    {
        var metadata = new V1ObjectMeta();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return metadata;
        }

        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (TakeIdentity(ref reader, metadata))
            {
                continue;
            }

            if (Take(ref reader, "generation"u8))
            {
                metadata.Generation = JsonSerializer.Deserialize<long?>(ref reader);
            }
            else if (Take(ref reader, "deletionTimestamp"u8))
            {
                metadata.DeletionTimestamp = Timestamp(ref reader);
            }
            else if (Take(ref reader, "finalizers"u8))
            {
                metadata.Finalizers = JsonSerializer.Deserialize<List<string>>(ref reader);
            }
            else if (Take(ref reader, "annotations"u8))
            {
                metadata.Annotations = ReadKept(ref reader, internValues: false, CacheTrims.KeptVirtualMachineAnnotations);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return metadata;
    }
}
