using KubeMacPool.Manager.Certificates;

namespace KubeMacPool.Manager.Tests.Certificates;

public class CertificateOptionsValidatorTests
{
    [Fact]
    public void Defaults_pass() => Assert.True(new CertificateOptionsValidator().Validate(null, new CertificateOptions()).Succeeded);

    [Fact]
    public void Manifest_values_pass() => Assert.True(new CertificateOptionsValidator().Validate(null, new CertificateOptions
    {
        CaRotateInterval = "8760h0m0s",
        CaOverlapInterval = "24h0m0s",
        CertRotateInterval = "4380h0m0s",
        CertOverlapInterval = "24h0m0s",
    }).Succeeded);

    [Theory]
    [InlineData("ca", "CA_ROTATE_INTERVAL: invalid duration \"1 year\"")]
    [InlineData("order", "CERT_ROTATE_INTERVAL (9000h0m0s) must not be longer than CA_ROTATE_INTERVAL (8760h0m0s)")]
    [InlineData("service", "invalid webhook Service name \"Kube_Service\"")]
    public void Bad_settings_fail_with_a_clear_message(string what, string expected)
    {
        var options = new CertificateOptions();
        switch (what)
        {
            case "ca": options.CaRotateInterval = "1 year"; break;
            case "order": options.CertRotateInterval = "9000h"; break;
            default: options.ServiceName = "Kube_Service"; break;
        }

        var result = new CertificateOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
