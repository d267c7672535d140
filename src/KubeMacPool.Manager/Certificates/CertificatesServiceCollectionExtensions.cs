using KubeMacPool.Manager.Certificates.Rotation;
using KubeMacPool.Manager.Certificates.Serving;
using KubeMacPool.Manager.Kubernetes.Informers;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Certificates;

internal static class CertificatesServiceCollectionExtensions
{
    /// <summary>
    /// Where the webhook's certificate comes from. By default the manager manages it (CA and serving Secrets,
    /// caBundle, rotation, hot reload from the Secret), following the shared Secret and webhook configuration
    /// informers. With <c>--cert-dir</c> given explicitly, someone else does: tls.crt/tls.key are read from that
    /// directory and reloaded when they change, and caBundle is left alone.
    /// </summary>
    public static IServiceCollection AddWebhookCertificates(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration["cert-dir"] is not null)
        {
            services.AddHostedService<CertificateDirectoryWatcher>();
            return services;
        }

        services.AddSingleton<IConfigureOptions<CertificateOptions>, CertificateOptionsSetup>();
        services.AddSingleton<IValidateOptions<CertificateOptions>, CertificateOptionsValidator>();
        services.AddOptions<CertificateOptions>().ValidateOnStart();
        services.AddSecretInformer();
        services.AddMutatingWebhookInformer();
        services.AddValidatingWebhookInformer();
        services.AddSingleton<ServingSecretReloader>();
        services.AddHostedService<CertificateRotator>();
        services.AddHostedService<ValidatingBundleMirror>();
        return services;
    }
}
