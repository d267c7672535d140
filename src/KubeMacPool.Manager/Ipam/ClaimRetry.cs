using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Ipam;

/// <summary>Look at one VM/VMI key (<c>namespace/name</c>) again after a failed write.</summary>
internal sealed record ClaimRetry(string Key) : ControllerWork;
