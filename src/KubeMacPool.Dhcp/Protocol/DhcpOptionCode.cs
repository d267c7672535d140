namespace KubeMacPool.Dhcp.Protocol;

/// <summary>The option codes this agent reads or writes (RFC 2132, 3397, 3442).</summary>
public enum DhcpOptionCode : byte
{
    Pad = 0,
    SubnetMask = 1,
    Router = 3,
    DomainNameServer = 6,
    HostName = 12,
    DomainName = 15,
    InterfaceMtu = 26,
    NtpServers = 42,
    RequestedIPAddress = 50,
    LeaseTime = 51,
    OptionOverload = 52,
    MessageType = 53,
    ServerIdentifier = 54,
    ParameterRequestList = 55,
    Message = 56,
    MaxMessageSize = 57,
    RenewalTime = 58,
    RebindingTime = 59,
    ClientIdentifier = 61,
    RelayAgentInformation = 82,
    DomainSearch = 119,
    ClasslessStaticRoute = 121,
    End = 255,
}
