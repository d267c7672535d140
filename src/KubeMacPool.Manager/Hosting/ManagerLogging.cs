using Microsoft.Extensions.Logging.Console;

namespace KubeMacPool.Manager.Hosting;

internal static class ManagerLogging
{
    /// <summary>ASP.NET Core's per-request logger (request starting / finished).</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// <c>--v=production</c>: JSON lines at Information (as upstream's zap production mode); anything else: readable
    /// lines at Debug. In both, ASP.NET Core logs at Warning: its hosting and routing write 3–6 Information lines
    /// per request (962,000 lines after a few minutes of load), which is framework chatter, not this service's debug
    /// detail. Startup lines ("Now listening on") come from Microsoft.Hosting.Lifetime and stay.
    /// </summary>
    public static void ConfigureManagerLogging(this WebApplicationBuilder builder)
    {
        var debug = !string.Equals(builder.Configuration["v"] ?? "production", "production", StringComparison.Ordinal);
        builder.Logging.ClearProviders();
        if (debug)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        }
        else
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
            builder.Logging.SetMinimumLevel(LogLevel.Information);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Off entirely, not at Warning: while this logger is enabled at any level, the hosting layer starts an
        // Activity (a random trace id) and a logging scope for every request, work on the admission path that nothing
        // reads. It logs only per-request lines and startup errors, which also end the process with the exception on
        // stderr.
        builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);

        builder.Logging.AddFilter<ConsoleLoggerProvider>("System.Net.Http.HttpClient", LogLevel.Warning);
    }
}
