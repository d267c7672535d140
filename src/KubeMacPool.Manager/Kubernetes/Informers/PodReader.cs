using System.Text.Json;
using k8s.Models;
using static KubeMacPool.Manager.Kubernetes.Informers.JsonTokens;

namespace KubeMacPool.Manager.Kubernetes.Informers;

/// <summary>
/// A pod that <see cref="PodReader"/> built in the cached shape: <see cref="CacheTrims.Pod"/> keeps it as it is (only its
/// resourceVersion goes) instead of building it again.
/// </summary>
internal sealed record CachedPod : V1Pod;

/// <summary>
/// Reads one pod token by token into the shape <see cref="CacheTrims.Pod"/> keeps, plus
/// <c>metadata.resourceVersion</c> (a watch resumes from it): at 10,000 pods, building each whole (spec,
/// managedFields, the full status) only to drop most of it cost more than the rest of the pod list. A watch
/// BOOKMARK reads as a pod with only a resourceVersion.
/// </summary>
internal static class PodReader
{
    public static CachedPod Read(ref Utf8JsonReader reader)
    {
        var pod = new CachedPod { Metadata = new V1ObjectMeta() };
        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "apiVersion"u8))
            {
                pod.ApiVersion = CacheTrims.Intern(String(ref reader));
            }
            else if (Take(ref reader, "kind"u8))
            {
                pod.Kind = CacheTrims.Intern(String(ref reader));
            }
            else if (Take(ref reader, "metadata"u8))
            {
                ReadMetadata(ref reader, pod.Metadata);
            }
            else if (Take(ref reader, "status"u8))
            {
                pod.Status = CacheTrims.PodPhase(ReadPhase(ref reader));
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return pod;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, V1ObjectMeta metadata)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (TakeIdentity(ref reader, metadata))
            {
                continue;
            }

            if (Take(ref reader, "resourceVersion"u8))
            {
                metadata.ResourceVersion = String(ref reader);
            }
            else if (Take(ref reader, "deletionTimestamp"u8))
            {
                metadata.DeletionTimestamp = Timestamp(ref reader);
            }
            else if (Take(ref reader, "labels"u8))
            {
                metadata.Labels = ReadKept(ref reader, internValues: true, CacheTrims.KeptPodLabels);
            }
            else if (Take(ref reader, "annotations"u8))
            {
                metadata.Annotations = ReadKept(ref reader, internValues: false, CacheTrims.KeptPodAnnotations);
            }
            else if (Take(ref reader, "ownerReferences"u8))
            {
                metadata.OwnerReferences = ReadOwners(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }
    }

    private static List<V1OwnerReference>? ReadOwners(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"expected an array of owners, found {reader.TokenType}");
        }

        var owners = new List<V1OwnerReference>(1);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            owners.Add(ReadOwner(ref reader));
        }

        return owners;
    }

    private static V1OwnerReference ReadOwner(ref Utf8JsonReader reader)
    {
        var owner = new V1OwnerReference();
        ExpectObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "apiVersion"u8))
            {
                owner.ApiVersion = CacheTrims.Intern(String(ref reader));
            }
            else if (Take(ref reader, "kind"u8))
            {
                owner.Kind = CacheTrims.Intern(String(ref reader));
            }
            else if (Take(ref reader, "name"u8))
            {
                owner.Name = String(ref reader);
            }
            else if (Take(ref reader, "uid"u8))
            {
                owner.Uid = String(ref reader);
            }
            else if (Take(ref reader, "controller"u8))
            {
                owner.Controller = Boolean(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return owner;
    }

    /// <summary><c>status.phase</c>; the rest of the status is skipped.</summary>
    private static string? ReadPhase(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectObject(ref reader);
        string? phase = null;
        while (NextProperty(ref reader))
        {
            if (Take(ref reader, "phase"u8))
            {
                phase = String(ref reader);
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return phase;
    }
}
