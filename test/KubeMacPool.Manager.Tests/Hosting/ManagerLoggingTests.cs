using KubeMacPool.Manager.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMacPool.Manager.Tests.Hosting;

public sealed class ManagerLoggingTests
{
    [Theory]
    [InlineData("production", LogLevel.Information)]
    [InlineData("debug", LogLevel.Debug)]
    public async Task The_hosting_request_logger_is_off_at_every_level_and_the_services_own_lines_stay(string verbosity, LogLevel serviceLevel)
    {
        var builder = WebApplication.CreateSlimBuilder(["--v=" + verbosity]);
        builder.ConfigureManagerLogging();
        await using var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();

        // Enabled at any level, the hosting layer starts an Activity and a log scope for every request.
        Assert.False(loggers.CreateLogger(ManagerLogging.HostingDiagnosticsCategory).IsEnabled(LogLevel.Critical));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("KubeMacPool.Admission").IsEnabled(serviceLevel));
        Assert.Equal(verbosity == "debug", loggers.CreateLogger("KubeMacPool.Admission").IsEnabled(LogLevel.Debug));
    }
}
