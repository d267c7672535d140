using KubeMacPool.Manager.Kubernetes.Informers;

namespace KubeMacPool.Manager.Dhcp;

/// <summary>Look at a reservation or VM again (after a failed write), or at everything (both keys null).</summary>
internal sealed record ReservationRetry(string? ReservationKey, string? VirtualMachineKey) : ControllerWork;
