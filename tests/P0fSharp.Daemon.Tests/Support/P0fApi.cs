using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using P0fSharp.Tests.Shared;

namespace P0fSharp.Daemon.Tests.Support;

/// <summary>
/// A p0f v3 API answer decoded independently of the product's own code (p0f's api.h layout:
/// packed, host byte order = little-endian here).
/// </summary>
internal sealed class P0fAnswer
{
    public const uint ResponseMagic = 0x50304602;
    public const uint BadQuery = 0x00;
    public const uint Ok = 0x10;
    public const uint NoMatch = 0x20;

    /// <summary>Byte ranges of the fields that hold wall-clock times (first_seen, last_seen, last_nat, last_chg).</summary>
    public static readonly (string Name, int Offset)[] TimeFields = [("first_seen", 8), ("last_seen", 12), ("last_nat", 28), ("last_chg", 32)];

    public P0fAnswer(byte[] raw)
    {
        if (raw.Length != 232)
        {
            throw new ArgumentException($"An answer is 232 bytes, got {raw.Length}.", nameof(raw));
        }

        Raw = raw;
    }

    public byte[] Raw { get; }

    public uint Magic => U32(0);

    public uint Status => U32(4);

    public uint FirstSeen => U32(8);

    public uint LastSeen => U32(12);

    public uint TotalConn => U32(16);

    public uint UptimeMinutes => U32(20);

    public uint UptimeModDays => U32(24);

    public uint LastNat => U32(28);

    public uint LastChange => U32(32);

    public short Distance => BinaryPrimitives.ReadInt16LittleEndian(Raw.AsSpan(36));

    public byte BadSoftware => Raw[38];

    public byte OsMatchQuality => Raw[39];

    public string OsName => Str(40);

    public string OsFlavor => Str(72);

    public string HttpName => Str(104);

    public string HttpFlavor => Str(136);

    public string LinkType => Str(168);

    public string Language => Str(200);

    /// <summary>
    /// The answer with each time field reduced to "set or not" (0 or 1), for comparing two
    /// daemons that saw the same packets at slightly different moments.
    /// </summary>
    public byte[] WithoutTimes()
    {
        byte[] copy = (byte[])Raw.Clone();
        foreach ((_, int offset) in TimeFields)
        {
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(offset));
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), v == 0 ? 0u : 1u);
        }

        return copy;
    }

    public override string ToString() =>
        $"magic=0x{Magic:x8} status=0x{Status:x2} first={FirstSeen} last={LastSeen} conn={TotalConn} up={UptimeMinutes}/{UptimeModDays}d "
        + $"nat={LastNat} chg={LastChange} dist={Distance} bad_sw={BadSoftware} q={OsMatchQuality} os='{OsName}' flavor='{OsFlavor}' "
        + $"http='{HttpName}' '{HttpFlavor}' link='{LinkType}' lang='{Language}'";

    private uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(offset));

    private string Str(int offset)
    {
        ReadOnlySpan<byte> field = Raw.AsSpan(offset, 32);
        int end = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(end < 0 ? field : field[..end]);
    }
}

/// <summary>Builds queries and talks to an API socket the way p0f-client and rspamd do.</summary>
internal static class P0fApi
{
    public const uint QueryMagic = 0x50304601;

    public static byte[] Query(uint magic, byte type, ReadOnlySpan<byte> address)
    {
        byte[] q = new byte[21];
        BinaryPrimitives.WriteUInt32LittleEndian(q, magic);
        q[4] = type;
        address.CopyTo(q.AsSpan(5));
        return q;
    }

    public static byte[] Query(string address)
    {
        byte[] bytes = IPAddress.Parse(address).GetAddressBytes();
        return Query(QueryMagic, bytes.Length == 4 ? (byte)4 : (byte)6, bytes);
    }

    /// <summary>One query on a fresh connection: connect, 21 bytes out, 232 bytes in, close.</summary>
    public static P0fAnswer Ask(string socketPath, string address)
    {
        using var c = ApiConnection.Open(socketPath);
        return c.Ask(Query(address));
    }

    /// <summary>Polls until the socket accepts a connection (the daemon opens it after its capture), or throws.</summary>
    public static void WaitUntilListening(string socketPath, ChildProcess daemon, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (daemon.HasExited)
            {
                daemon.WaitForExit(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException($"The daemon exited with {daemon.ExitCode} before listening on '{socketPath}'.\n{daemon.Transcript()}");
            }

            if (File.Exists(socketPath))
            {
                try
                {
                    using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    s.Connect(new UnixDomainSocketEndPoint(socketPath));
                    return;
                }
                catch (SocketException)
                {
                    // not yet
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"'{socketPath}' did not accept connections within {timeout.TotalSeconds} s.\n{daemon.Transcript()}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Asks until <paramref name="done"/> holds for the answer (the capture is asynchronous); returns the last answer.</summary>
    public static P0fAnswer AskUntil(string socketPath, string address, Func<P0fAnswer, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            P0fAnswer a = Ask(socketPath, address);
            if (done(a) || clock.Elapsed > timeout)
            {
                return a;
            }

            Thread.Sleep(50);
        }
    }
}

/// <summary>A blocking client connection with every wait bounded.</summary>
internal sealed class ApiConnection : BlockingUnixClient
{
    private ApiConnection(Socket socket)
        : base(socket)
    {
    }

    public static ApiConnection Open(string socketPath, int timeoutMs = 30_000) => new(ConnectSocket(socketPath, timeoutMs));

    public P0fAnswer ReceiveAnswer() => new(Receive(232));

    public P0fAnswer Ask(byte[] query)
    {
        Send(query);
        return ReceiveAnswer();
    }
}
