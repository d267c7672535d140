using BenchmarkDotNet.Attributes;
using KubeMacPool.Dhcp.Leases;
using KubeMacPool.Dhcp.Protocol;
using KubeMacPool.Dhcp.Server;

namespace KubeMacPool.Benchmarks.Dhcp;

/// <summary>The agent's per-packet CPU work: decode a client request, decide, encode the reply (pool of 10,000 reservations).</summary>
[MemoryDiagnoser]
public class DhcpCodecBenchmarks
{
    private const int Reservations = 10_000;
    private readonly byte[] _reply = new byte[1500];
    private byte[] _discover = null!;
    private byte[] _request = null!;
    private DhcpMessage _decodedDiscover = null!;
    private DhcpMessage _offer = null!;
    private DhcpLeaseBook _book = null!;

    [GlobalSetup]
    public void Setup()
    {
        _book = DhcpBenchData.Book(Reservations);
        _discover = DhcpEncoder.Encode(DhcpBenchData.Request(4321, DhcpMessageType.Discover, 7));
        _request = DhcpEncoder.Encode(DhcpBenchData.Request(4321, DhcpMessageType.Request, 8));
        _decodedDiscover = DhcpDecoder.Decode(_discover).Message!;
        _offer = DhcpResponder.Decide(_decodedDiscover, _book.Snapshot).Reply!;
    }

    [Benchmark]
    public DhcpMessage? DecodeDiscover() => DhcpDecoder.Decode(_discover).Message;

    [Benchmark]
    public DhcpMessage? DecideOffer() => DhcpResponder.Decide(_decodedDiscover, _book.Snapshot).Reply;

    [Benchmark]
    public int EncodeOffer() => DhcpEncoder.Encode(_offer, _reply, 1472, out _);

    /// <summary>Everything the server does for one REQUEST except the two socket calls.</summary>
    [Benchmark]
    public int RequestToAck()
    {
        var request = DhcpDecoder.Decode(_request).Message!;
        var decision = DhcpResponder.Decide(request, _book.Snapshot);
        return DhcpEncoder.Encode(decision.Reply!, _reply, decision.MaxReplyLength, out _);
    }
}
