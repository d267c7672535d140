using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Certificates;

internal sealed class CertificateOptionsSetup(IConfiguration configuration) : IConfigureOptions<CertificateOptions>
{
    public void Configure(CertificateOptions options)
    {
        options.ServiceName = configuration["service-name"] ?? configuration["WEBHOOK_SERVICE_NAME"] ?? options.ServiceName;
        options.CaRotateInterval = configuration["CA_ROTATE_INTERVAL"] ?? options.CaRotateInterval;
        options.CaOverlapInterval = configuration["CA_OVERLAP_INTERVAL"] ?? options.CaOverlapInterval;
        options.CertRotateInterval = configuration["CERT_ROTATE_INTERVAL"] ?? options.CertRotateInterval;
        options.CertOverlapInterval = configuration["CERT_OVERLAP_INTERVAL"] ?? options.CertOverlapInterval;
    }
}
