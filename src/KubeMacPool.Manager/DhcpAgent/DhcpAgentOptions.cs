using System.Net;
using Microsoft.Extensions.Options;

namespace KubeMacPool.Manager.DhcpAgent;

/// <summary>The <c>dhcp-agent</c> mode's settings (command line <c>--pool</c>, <c>--interface</c>, ...).</summary>
internal sealed class DhcpAgentOptions
{
    /// <summary>The IPPool this agent serves.</summary>
    public string Pool { get; set; } = "";

    /// <summary>The pool's network interface in the agent pod (SO_BINDTODEVICE); empty listens on every interface.</summary>
    public string? Interface { get; set; }

    public string HealthAddress { get; set; } = "0.0.0.0";

    public int HealthPort { get; set; } = 8081;

    public string ListenAddress { get; set; } = "0.0.0.0";

    public int ServerPort { get; set; } = 67;

    public int ClientPort { get; set; } = 68;

    /// <summary>Where replies to clients without an address go; the limited broadcast unless a test says otherwise.</summary>
    public string BroadcastAddress { get; set; } = "255.255.255.255";
}

internal sealed class DhcpAgentOptionsSetup(IConfiguration configuration) : IConfigureOptions<DhcpAgentOptions>
{
    public void Configure(DhcpAgentOptions options)
    {
        options.Pool = configuration["pool"] ?? options.Pool;
        options.Interface = configuration["interface"] ?? options.Interface;
        options.HealthAddress = configuration["health-address"] ?? options.HealthAddress;
        options.HealthPort = Int(configuration["health-port"], options.HealthPort);
        options.ListenAddress = configuration["listen-address"] ?? options.ListenAddress;
        options.ServerPort = Int(configuration["dhcp-port"], options.ServerPort);
        options.ClientPort = Int(configuration["dhcp-client-port"], options.ClientPort);
        options.BroadcastAddress = configuration["broadcast-address"] ?? options.BroadcastAddress;
    }

    // An unparsable number becomes -1, which the validator refuses with the flag's name.
    private static int Int(string? text, int fallback) =>
        text is null ? fallback : int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1;
}

internal sealed class DhcpAgentOptionsValidator : IValidateOptions<DhcpAgentOptions>
{
    public ValidateOptionsResult Validate(string? name, DhcpAgentOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Pool))
        {
            errors.Add("--pool is required: the name of the IPPool this agent serves");
        }

        foreach (var (flag, port) in new[] { ("--health-port", options.HealthPort), ("--dhcp-port", options.ServerPort), ("--dhcp-client-port", options.ClientPort) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"{flag} must be a port number from 1 to 65535");
            }
        }

        foreach (var (flag, address) in new[] { ("--health-address", options.HealthAddress), ("--listen-address", options.ListenAddress), ("--broadcast-address", options.BroadcastAddress) })
        {
            if (!IPAddress.TryParse(address, out _))
            {
                errors.Add($"{flag} \"{address}\" is not an IP address");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
