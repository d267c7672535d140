using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Configuration;

internal static class ConfigurationServiceCollectionExtensions
{
    /// <summary>Binds and validates the manager's settings; a bad setting stops the process at startup with its reason.</summary>
    public static IServiceCollection AddManagerOptions(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<ManagerOptions>, ManagerOptionsSetup>();
        services.AddSingleton<IValidateOptions<ManagerOptions>, ManagerOptionsValidator>();
        services.AddOptions<ManagerOptions>().ValidateOnStart();
        return services;
    }
}
