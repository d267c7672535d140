using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KubeMacPool.Manager.Configuration;
using KubeMacPool.Manager.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Telemetry;

/// <summary>
/// HTTPS listener for <c>/metrics</c> on <c>--metrics-addr</c>, apart from the webhook port. It presents the
/// webhook's serving certificate (scrapers skip verification, as upstream's ServiceMonitor does) or, until one
/// exists, a self-signed one, so metrics never wait for the certificate manager.
/// </summary>
internal static partial class MetricsEndpoint
{
    public static void ConfigureMetricsListener(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((_, kestrel) =>
        {
            var metrics = kestrel.ApplicationServices.GetRequiredService<IOptions<MetricsOptions>>().Value;
            if (!metrics.Enabled || !MetricsOptions.TryParseAddress(metrics.Address, out var address, out var port, out string? _))
            {
                return;
            }

            var manager = kestrel.ApplicationServices.GetRequiredService<IOptions<ManagerOptions>>().Value;
            var serving = kestrel.ApplicationServices.GetRequiredService<ServingCertificate>();
            var fallback = new Lazy<X509Certificate2>(SelfSigned);
            kestrel.Listen(address, port, listen => listen.UseHttps(https =>
            {
                https.SslProtocols = manager.MinimumTlsProtocols;
                https.ServerCertificateSelector = (_, _) => serving.Current ?? fallback.Value;
                https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
            }));
        });
    }

    /// <summary>Answers every request that arrives on the metrics port; nothing else is served there.</summary>
    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!metrics.Enabled || !MetricsOptions.TryParseAddress(metrics.Address, out _, out var port, out string? _))
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KubeMacPool.Metrics");
        app.UseWhen(context => context.Connection.LocalPort == port, branch => branch.Run(context => ServeAsync(context, logger)));
        return app;
    }

    private static async Task ServeAsync(HttpContext context, ILogger logger)
    {
        var response = context.Response;
        if (context.Request.Path != MetricsAuthorizer.MetricsPath)
        {
            response.StatusCode = (int)HttpStatusCode.NotFound;
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = (int)HttpStatusCode.MethodNotAllowed;
            return;
        }

        var authorizer = context.RequestServices.GetRequiredService<MetricsAuthorizer>();
        ScrapeDecision decision;
        try
        {
            decision = await authorizer.AuthorizeAsync(context.Request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null, context.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReviewFailed(logger, e);
            response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
            await response.WriteAsync("could not review the token with the API server; retry shortly\n", context.RequestAborted);
            return;
        }

        if (decision != ScrapeDecision.Allowed)
        {
            response.StatusCode = decision == ScrapeDecision.Unauthenticated ? (int)HttpStatusCode.Unauthorized : (int)HttpStatusCode.Forbidden;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(decision == ScrapeDecision.Unauthenticated ? "Unauthorized\n" : "Forbidden\n", context.RequestAborted);
            return;
        }

        var text = context.RequestServices.GetRequiredService<ScrapeReader>().Scrape();
        response.ContentType = PrometheusText.ContentType;
        await response.WriteAsync(text, context.RequestAborted);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kubemacpool-metrics", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("kubemacpool-metrics-service");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Metrics scrape: the token review failed")]
    private static partial void LogReviewFailed(ILogger logger, Exception exception);
}
