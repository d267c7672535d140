using System.Net;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Manager.Kubernetes.Client;
using KubeMacPool.Manager.Kubernetes.Informers;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.DhcpAgent;

/// <summary>
/// <c>kubemacpool dhcp-agent --pool NAME [--interface eth1]</c>: one per IPPool, attached to the pool's network.
/// Reads its pool and the reservations (never writes them), serves DHCP, and answers <c>/healthz</c> (alive) and
/// <c>/readyz</c> (the pool is loaded and the socket is bound) on plain HTTP.
/// </summary>
internal static class DhcpAgentHost
{
    public const string Mode = "dhcp-agent";

    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Services.AddDhcpAgent(builder.Configuration);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<DhcpAgentOptions>>().Value;
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.TryParse(options.HealthAddress, out var address) ? address : IPAddress.Any, options.HealthPort);
        });

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (DhcpLeaseBook book, DhcpAgentService server) =>
            !book.IsReady ? Results.Text("the pool is not loaded (missing or invalid; see the log)", statusCode: StatusCodes.Status503ServiceUnavailable)
            : !server.IsListening ? Results.Text("the DHCP socket is not bound yet", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok"));
        await app.RunAsync();
    }

    public static IServiceCollection AddDhcpAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IConfigureOptions<DhcpAgentOptions>, DhcpAgentOptionsSetup>();
        services.AddSingleton<IValidateOptions<DhcpAgentOptions>, DhcpAgentOptionsValidator>();
        services.AddOptions<DhcpAgentOptions>().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddKubernetesClient(configuration);
        services.AddIpPoolInformer(sp => sp.GetRequiredService<IOptions<DhcpAgentOptions>>().Value.Pool);
        services.AddIpReservationInformer();
        services.AddSingleton<DhcpLeaseBook>();
        services.AddSingleton<LeaseBookFeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaseBookFeeder>());
        services.AddSingleton<DhcpAgentService>();
        services.AddHostedService(sp => sp.GetRequiredService<DhcpAgentService>());
        return services;
    }
}
