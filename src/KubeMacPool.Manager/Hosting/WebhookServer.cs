using System.Net;
using System.Net.Security;
using KubeMacPool.Manager.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Hosting;

internal static class WebhookServer
{
    /// <summary>
    /// An object is at most ~1.5 MiB in etcd; an UPDATE review carries two of them. Anything much larger is not a
    /// review from an API server.
    /// </summary>
    public const int MaxRequestBodyBytes = 4 * 1024 * 1024;

    /// <summary>
    /// HTTPS on the webhook port with the certificate taken per handshake from <see cref="ServingCertificate"/>
    /// (hot rotation), TLS 1.2 minimum (1.3 preferred by the handshake), optional cipher-suite pinning.
    /// </summary>
    public static void ConfigureWebhookServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ServingCertificate>();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<ManagerOptions>>().Value;
            var serving = kestrel.ApplicationServices.GetRequiredService<ServingCertificate>();
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Listen(IPAddress.Parse(options.WebhookAddress), options.WebhookPort, listen =>
                listen.UseHttps(https =>
                {
                    https.SslProtocols = options.MinimumTlsProtocols;
                    https.ServerCertificateSelector = (_, _) => serving.Current;
                    https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
                    if (OperatingSystem.IsLinux() && TlsSettings.TryParseCipherSuites(options.TlsCipherSuites, out var suites, out _) && suites is { Count: > 0 })
                    {
                        var policy = new CipherSuitesPolicy(suites);
                        https.OnAuthenticate = (_, ssl) => ssl.CipherSuitesPolicy = policy;
                    }
                }));
        });
    }
}
