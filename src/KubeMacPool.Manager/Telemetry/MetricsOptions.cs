using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.Telemetry;

/// <summary>
/// Where the metrics endpoint listens: <c>--metrics-addr</c> as upstream spells it (<c>:8443</c>, <c>host:port</c>),
/// or <c>0</c> to serve no metrics.
/// </summary>
internal sealed class MetricsOptions
{
    public const string DefaultAddress = ":8443";

    public string Address { get; set; } = DefaultAddress;

    /// <summary>How long a token's authentication and authorization answer is reused.</summary>
    public TimeSpan AuthorizationCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => Address != "0";

    /// <summary>Parses <c>[host]:port</c>; an empty host means every interface.</summary>
    public static bool TryParseAddress(
        string? text, [NotNullWhen(true)] out IPAddress? address, out int port, [NotNullWhen(false)] out string? error)
    {
        address = null;
        port = 0;
        var colon = text?.LastIndexOf(':') ?? -1;
        if (text is null || colon < 0)
        {
            error = $"--metrics-addr must be [host]:port or 0, got \"{text}\"";
            return false;
        }

        var host = text[..colon].Trim('[', ']');
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is <= 0 or > 65535)
        {
            error = $"--metrics-addr needs a TCP port (1-65535), got \"{text}\"";
            return false;
        }

        if (host.Length == 0 || host == "0.0.0.0")
        {
            address = IPAddress.Any;
        }
        else if (host == "localhost")
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address))
        {
            error = $"--metrics-addr host must be an IP address, got \"{host}\"";
            return false;
        }

        error = null;
        return true;
    }
}

/// <summary>Binds <see cref="MetricsOptions"/> from the <c>--metrics-addr</c> flag.</summary>
internal sealed class MetricsOptionsSetup(IConfiguration configuration) : IConfigureOptions<MetricsOptions>
{
    public void Configure(MetricsOptions options) =>
        options.Address = configuration["metrics-addr"] ?? options.Address;
}

/// <summary>Refuses to start with an address that cannot be listened on.</summary>
internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options) =>
        !options.Enabled || MetricsOptions.TryParseAddress(options.Address, out _, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(error);
}
