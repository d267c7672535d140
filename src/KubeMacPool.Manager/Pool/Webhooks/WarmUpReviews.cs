using System.Text;

namespace KubeMacPool.Manager.Pool.Webhooks;

/// <summary>Sample reviews for the admission warm-up: the common shapes (a VM with two NICs, a pod with one network).</summary>
internal static class WarmUpReviews
{
    public static byte[] VirtualMachine(int i) => Encoding.UTF8.GetBytes($$$"""
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"warm-up-{{{i}}}","operation":"CREATE",
         "namespace":"warm-up","object":{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine",
         "metadata":{"name":"vm-{{{i}}}","namespace":"warm-up"},
         "spec":{"running":false,"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}},{"name":"br1","bridge":{}}]}},
         "networks":[{"name":"default","pod":{}},{"name":"br1","multus":{"networkName":"br1"}}]} } } } } }
        """);

    public static byte[] Pod(int i) => Encoding.UTF8.GetBytes($$$"""
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"warm-up-{{{i}}}","operation":"CREATE",
         "namespace":"warm-up","object":{"metadata":{"name":"pod-{{{i}}}","namespace":"warm-up",
         "annotations":{"k8s.v1.cni.cncf.io/networks":"[{\"name\":\"br1\"}]"} } } } }
        """);
}
