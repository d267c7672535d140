using KubeMacPool.Core.Addressing;
using KubeMacPool.Core.Pool;
using KubeMacPool.Manager.Configuration;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Pool;

internal static class PoolServiceCollectionExtensions
{
    /// <summary>The one MAC pool of the process, over the validated startup range and duplicate policy.</summary>
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

            return new MacPool(range, policy);
        });
        return services;
    }
}
