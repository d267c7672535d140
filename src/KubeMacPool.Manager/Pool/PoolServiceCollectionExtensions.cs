using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Admission;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Kubernetes.Informers;
using KubeMacPool.Manager.Namespaces;
using KubeMacPool.Manager.Pool.Controllers;
using KubeMacPool.Manager.Pool.Status;
using KubeMacPool.Manager.Pool.Webhooks;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Pool;

internal static class PoolServiceCollectionExtensions
{
    /// <summary>
    /// The MAC pool: the one pool of the process over the validated startup range, its two webhooks, the startup
    /// rebuild that gates readiness and the controllers that keep it in step with the cluster.
    /// </summary>
    public static IServiceCollection AddMacPool(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ManagerOptions>>().Value;
            // Both were validated at startup (ManagerOptionsValidator); a failure here is a bug.
            if (!MacRange.TryParse(options.RangeStart, options.RangeEnd, out var range, out var error)
                || !DuplicatePolicies.TryParse(options.DuplicateMacs, out var policy, out error))
            {
                throw new InvalidOperationException("failed to set initial ranges: " + error);
            }

            // The ConfigMap's RESERVED_MACS replaces this when it is listed, before the pool is ready.
            return new MacPool(range, policy, reserved: ReservedMacs.KubeVirtDefault);
        });
        services.AddManagedNamespaces();
        services.AddRangeConfigMapInformer();
        services.AddVirtualMachineInformer();
        services.AddPodInformer();
        services.AddIpamClaimInformer();
        services.AddSingleton<ClaimedMacs>();
        services.AddSingleton<PodWebhook>();
        services.AddSingleton<VirtualMachineWebhook>();
        services.AddSingleton<LegacyFinalizerRemover>();
        services.AddSingleton<VirtualMachineController>();
        services.AddSingleton<PodController>();
        services.AddSingleton<RangeConfigMapController>();
        services.AddSingleton<HealLoop>();
        services.AddSingleton<RuleBreakerReport>();
        services.AddHostedService<PoolStatusPublisher>();
        services.AddHostedService<ClusterSync>();

        // Warm-up on scratch pools over the default range: the real pool never sees these reviews.
        services.AddAdmissionWarmUp(
            WellKnown.VirtualMachinesPath,
            sp => new VirtualMachineWebhook(new MacPool(MacRange.Default), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ClaimedMacs>()),
            WarmUpReviews.VirtualMachine);
        services.AddAdmissionWarmUp(
            WellKnown.PodsPath,
            sp => ActivatorUtilities.CreateInstance<PodWebhook>(sp, new MacPool(MacRange.Default)),
            WarmUpReviews.Pod);
        return services;
    }

    public static IEndpointRouteBuilder MapMacPoolWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAdmissionWebhook<PodWebhook>(WellKnown.PodsPath);
        endpoints.MapAdmissionWebhook<VirtualMachineWebhook>(WellKnown.VirtualMachinesPath);
        return endpoints;
    }
}
