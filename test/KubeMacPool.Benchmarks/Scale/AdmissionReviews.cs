using System.Text;

namespace KubeMacPool.Benchmarks.Scale;

/// <summary>The review bodies the admission load posts: a pod with one Multus network, a VM with two NICs.</summary>
internal static class AdmissionReviews
{
    public const string PodPath = "/mutate-pods";
    public const string VirtualMachinePath = "/mutate-virtualmachines";

    /// <summary>A CREATE of pod <paramref name="name"/> in kmp-load asking one MAC (uid = name: one review per uid).</summary>
    public static byte[] Pod(string name) => PodWithUid(name, name);

    /// <summary>A CREATE of pod <paramref name="name"/> under review <paramref name="uid"/>: a retry is the same name, a new uid.</summary>
    public static byte[] PodWithUid(string name, string uid) => Encoding.UTF8.GetBytes($$$"""
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"{{{uid}}}","operation":"CREATE",
         "namespace":"kmp-load","object":{"metadata":{"name":"{{{name}}}","namespace":"kmp-load",
         "annotations":{"k8s.v1.cni.cncf.io/networks":"[{\"name\":\"br1\"}]"} } } } }
        """);

    /// <summary>A CREATE of VM <paramref name="name"/> with a masquerade and a Multus bridge NIC: two MACs.</summary>
    public static byte[] VirtualMachine(string name) => Encoding.UTF8.GetBytes($$$"""
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"{{{name}}}","operation":"CREATE",
         "namespace":"kmp-load","object":{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine",
         "metadata":{"name":"{{{name}}}","namespace":"kmp-load"},
         "spec":{"running":false,"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}},{"name":"br1","bridge":{}}]}},
         "networks":[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}}]} } } } } }
        """);

    /// <summary>
    /// What the floor answers to every review: the size and shape of a real pod answer (allowed, a JSON Patch), so
    /// the floor writes what the webhook writes without doing any of its work.
    /// </summary>
    public static readonly byte[] FixedAnswer = Encoding.UTF8.GetBytes(
        """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"fixed","allowed":true,"patchType":"JSONPatch","patch":"W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2Fubm90YXRpb25zL2s4cy52MS5jbmkuY25jZi5pb34xbmV0d29ya3MiLCJ2YWx1ZSI6Ilt7XCJuYW1lXCI6XCJicjFcIixcIm5hbWVzcGFjZVwiOlwia21wLWxvYWRcIixcIm1hY1wiOlwiMDI6MDA6MDA6MDA6MDA6MDBcIn1dIn1d"}}""");
}
