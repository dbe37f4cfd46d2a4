using System.Text;
using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;
using P0fSharp.Signatures;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine.Tests.Support;

/// <summary>
/// Feeds hand-built segments to a <see cref="TrafficEngine"/> with the HTTP module enabled, on a
/// clock that starts at 1700000000 (the vectors' base time). Helpers mirror the shared
/// vectors' make_vectors.py so that the same traffic gives the same p0f log lines.
/// </summary>
internal sealed class Net
{
    public const long BaseSeconds = 1_700_000_000;

    public static readonly byte[] CurlRequest = Ascii(
        "GET / HTTP/1.1\r\nUser-Agent: curl/7.29.0\r\nHost: example.com\r\nAccept: */*\r\n\r\n");

    public static readonly byte[] NginxResponse = Ascii(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.4.6 (Ubuntu)\r\n"
        + "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: text/html\r\n"
        + "Content-Length: 612\r\nLast-Modified: Mon, 04 Mar 2013 17:13:41 GMT\r\n"
        + "Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nAccept-Ranges: bytes\r\n\r\n"
        + "<html>");

    private long _microseconds;

    public Net(SignatureDatabase? database = null, EngineOptions? options = null, IObservationSink? sink = null)
    {
        Sink = new LineSink();
        Engine = new TrafficEngine(database ?? TestPaths.StockDatabase, options ?? new EngineOptions { OfflineMode = true }, sink ?? Sink);
        Engine.EnableHttpFingerprinting();
    }

    public TrafficEngine Engine { get; }

    public LineSink Sink { get; }

    public List<string> Lines => Sink.Lines;

    /// <summary>Lines of the given modules only (e.g. "http request").</summary>
    public List<string> LinesOf(params string[] modules) =>
        Lines.Where(l => modules.Any(m => l.StartsWith("mod=" + m + "|", StringComparison.Ordinal))).ToList();

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Request / response text: first line, headers, blank line, with the given line end.</summary>
    public static byte[] Message(string first, string end, params string[] headers)
    {
        var sb = new StringBuilder(first).Append(end);
        foreach (string h in headers)
        {
            sb.Append(h).Append(end);
        }

        return Ascii(sb.Append(end).ToString());
    }

    public void Advance(double seconds) => _microseconds += (long)Math.Round(seconds * 1_000_000);

    /// <summary>Sends one segment <paramref name="dt"/> seconds after the previous one.</summary>
    public void Send(
        string source, ushort sourcePort, string destination, ushort destinationPort,
        uint seq, uint ack, TcpFlags flags, ReadOnlySpan<byte> payload, TcpFingerprint fingerprint, double dt = 0.01) =>
        Send(HostAddress.Parse(source), sourcePort, HostAddress.Parse(destination), destinationPort, seq, ack, flags, payload, fingerprint, dt);

    /// <summary>As above with parsed addresses (allocation-free).</summary>
    public void Send(
        HostAddress source, ushort sourcePort, HostAddress destination, ushort destinationPort,
        uint seq, uint ack, TcpFlags flags, ReadOnlySpan<byte> payload, in TcpFingerprint fingerprint, double dt = 0.01)
    {
        Advance(dt);
        var packet = new DecodedPacket
        {
            Source = source,
            Destination = destination,
            SourcePort = sourcePort,
            DestinationPort = destinationPort,
            Sequence = seq,
            Acknowledgement = ack,
            Flags = flags,
            Fingerprint = fingerprint,
            Payload = payload,
        };
        packet.Fingerprint.HasPayload = !payload.IsEmpty;
        var time = new PacketTime(BaseSeconds + (_microseconds / 1_000_000), (int)(_microseconds % 1_000_000));
        Engine.Process(time, ref packet, true);
    }

    /// <summary>make_vectors.linux_syn: Linux 3.11+ SYN (mss,sok,ts,nop,ws; DF, ID set).</summary>
    public static TcpFingerprint LinuxSyn(byte ttl = 64, ushort mss = 1460, byte ws = 7, uint ts1 = 123456, int ipOptions = 0) =>
        Fingerprint(4, ttl, TcpQuirks.Df | TcpQuirks.IdPlus, (ushort)(mss * 20), mss, ws, ts1, ipOptions, 2, 4, 8, 1, 3);

    /// <summary>make_vectors.synack with linux_opts: window 14600, DF, ID 0.</summary>
    public static TcpFingerprint LinuxSynAck(uint ts1 = 99) =>
        Fingerprint(4, 64, TcpQuirks.Df, 14600, 1460, 7, ts1, 0, 2, 4, 8, 1, 3);

    /// <summary>A non-SYN segment: only the timestamp matters to the engine.</summary>
    public static TcpFingerprint Plain(uint ts1 = 0) => Fingerprint(4, 64, TcpQuirks.Df | TcpQuirks.IdPlus, 229, 0, 0, ts1, 0);

    public static TcpFingerprint Fingerprint(byte ipVersion, byte ttl, TcpQuirks quirks, ushort window, ushort mss, byte ws, uint ts1, int ipOptions, params byte[] layout)
    {
        var fp = new TcpFingerprint
        {
            IpVersion = ipVersion,
            Ttl = ttl,
            IpOptionLength = (byte)ipOptions,
            Mss = mss,
            Window = window,
            WindowScale = ws,
            Quirks = quirks,
            Ts1 = ts1,
        };
        int optionBytes = 0;
        foreach (byte kind in layout)
        {
            fp.Layout.TryAdd(kind);
            optionBytes += kind switch { 0 or 1 => 1, 2 => 4, 3 => 3, 4 => 2, 8 => 10, _ => 2 };
        }

        optionBytes = (optionBytes + 3) & ~3;
        fp.TotalHeaderLength = (ushort)((ipVersion == 4 ? 20 : 40) + ipOptions + 20 + optionBytes);
        return fp;
    }

    /// <summary>
    /// make_vectors.http_flow: SYN, SYN+ACK, ACK (with timestamp), the request segments, then
    /// the response segments, 10 ms apart.
    /// </summary>
    public void HttpFlow(
        string client, string server, ushort clientPort, IEnumerable<byte[]> request, IEnumerable<byte[]> response,
        ushort serverPort = 80, uint clientSeq = 1000, uint serverSeq = 50000, byte ttl = 64)
    {
        Send(client, clientPort, server, serverPort, clientSeq, 0, TcpFlags.Syn, default, LinuxSyn(ttl));
        Send(server, serverPort, client, clientPort, serverSeq, clientSeq + 1, TcpFlags.Syn | TcpFlags.Ack, default, LinuxSynAck());
        Send(client, clientPort, server, serverPort, clientSeq + 1, serverSeq + 1, TcpFlags.Ack, default, Plain(123460));
        uint cs = clientSeq + 1;
        foreach (byte[] segment in request)
        {
            Send(client, clientPort, server, serverPort, cs, serverSeq + 1, TcpFlags.Ack | TcpFlags.Psh, segment, Plain());
            cs += (uint)segment.Length;
        }

        uint ss = serverSeq + 1;
        foreach (byte[] segment in response)
        {
            Send(server, serverPort, client, clientPort, ss, cs, TcpFlags.Ack | TcpFlags.Psh, segment, Plain());
            ss += (uint)segment.Length;
        }
    }

    /// <summary>Splits a byte string at the given offsets (clamped like Python slices).</summary>
    public static byte[][] Split(byte[] data, params int[] offsets)
    {
        var parts = new List<byte[]>();
        int start = 0;
        foreach (int offset in offsets.Append(data.Length))
        {
            int end = Math.Min(offset, data.Length);
            parts.Add(data[start..end]);
            start = end;
        }

        return parts.ToArray();
    }
}
