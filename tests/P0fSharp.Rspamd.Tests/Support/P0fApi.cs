using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>One decoded p0f v3 API answer (232 bytes, host byte order).</summary>
internal sealed record P0fAnswer(
    uint Magic,
    uint Status,
    uint FirstSeen,
    uint LastSeen,
    uint TotalConnections,
    uint UptimeMinutes,
    uint UptimeModuloDays,
    uint LastNat,
    uint LastChange,
    short Distance,
    byte BadSoftware,
    byte OsMatchQuality,
    string OsName,
    string OsFlavor,
    string HttpName,
    string HttpFlavor,
    string LinkType,
    string Language)
{
    public const uint Ok = 0x10;
    public const uint NoMatch = 0x20;
    public const uint BadQuery = 0x00;

    /// <summary>"name flavor", or "unknown" when the daemon matched no signature (both clients say so).</summary>
    public string OsString => OsName.Length == 0 ? "unknown" : OsFlavor.Length == 0 ? OsName : OsName + " " + OsFlavor;

    public string LinkOrUnknown => LinkType.Length == 0 ? "unknown" : LinkType;

    /// <summary>What rspamd's stock module inserts for this answer: P0F[os, link=…, distance=…].</summary>
    public IReadOnlyList<string> StockOptions =>
    [
        OsName.Length == 0 ? "unknown" : OsName + " " + OsFlavor,
        "link=" + LinkOrUnknown,
        "distance=" + Distance,
    ];

    /// <summary>What the bundled plugin inserts: the same three, plus uptime once the daemon knows it.</summary>
    public IReadOnlyList<string> BundledOptions => UptimeModuloDays > 0
        ? [OsString, "link=" + LinkOrUnknown, "distance=" + Distance, $"uptime={UptimeMinutes}min"]
        : [OsString, "link=" + LinkOrUnknown, "distance=" + Distance];
}

/// <summary>An independent client of the p0f v3 query API, and answers for the fake daemon.</summary>
internal static class P0fApi
{
    public const int QueryLength = 21;
    public const int AnswerLength = 232;
    public const uint QueryMagic = 0x50304601;
    public const uint AnswerMagic = 0x50304602;

    public static byte[] Query(IPAddress address)
    {
        var query = new byte[QueryLength];
        BinaryPrimitives.WriteUInt32LittleEndian(query, QueryMagic);
        query[4] = address.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)6 : (byte)4;
        address.GetAddressBytes().CopyTo(query, 5);
        return query;
    }

    public static P0fAnswer Ask(string socketPath, IPAddress address, TimeSpan? timeout = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        int ms = (int)(timeout ?? TimeSpan.FromSeconds(2)).TotalMilliseconds;
        socket.ReceiveTimeout = ms;
        socket.SendTimeout = ms;
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        socket.Send(Query(address));
        var answer = new byte[AnswerLength];
        int got = 0;
        while (got < answer.Length)
        {
            int n = socket.Receive(answer, got, answer.Length - got, SocketFlags.None);
            if (n == 0)
            {
                throw new IOException($"the daemon closed the connection after {got} of {AnswerLength} bytes");
            }

            got += n;
        }

        return Decode(answer);
    }

    /// <summary>Asks until the status is OK (the capture may lag behind the SMTP session), bounded by <paramref name="within"/>.</summary>
    public static P0fAnswer AskUntilKnown(string socketPath, IPAddress address, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            P0fAnswer? answer = null;
            try
            {
                answer = Ask(socketPath, address);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                if (deadline.Elapsed > within)
                {
                    throw;
                }
            }

            if (answer is { Status: P0fAnswer.Ok })
            {
                return answer;
            }

            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"the daemon on {socketPath} did not know {address} within {within.TotalSeconds} s (last status 0x{answer?.Status:x2})");
            }

            Thread.Sleep(100);
        }
    }

    public static P0fAnswer Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != AnswerLength)
        {
            throw new ArgumentException($"an answer has {AnswerLength} bytes, not {raw.Length}");
        }

        return new P0fAnswer(
            U(raw, 0), U(raw, 1), U(raw, 2), U(raw, 3), U(raw, 4), U(raw, 5), U(raw, 6), U(raw, 7), U(raw, 8),
            BinaryPrimitives.ReadInt16LittleEndian(raw[36..]), raw[38], raw[39],
            Text(raw, 0), Text(raw, 1), Text(raw, 2), Text(raw, 3), Text(raw, 4), Text(raw, 5));
    }

    private static uint U(ReadOnlySpan<byte> raw, int index) => BinaryPrimitives.ReadUInt32LittleEndian(raw[(index * 4)..]);

    /// <summary>String field <paramref name="index"/> (32 bytes, NUL-padded unless full).</summary>
    private static string Text(ReadOnlySpan<byte> raw, int index)
    {
        ReadOnlySpan<byte> field = raw.Slice(40 + (index * 32), 32);
        int nul = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(nul < 0 ? field : field[..nul]);
    }

    /// <summary>A well-formed answer (as p0f would write it) with the given fields.</summary>
    public static byte[] Encode(uint status, string osName = "", string osFlavor = "", string linkType = "", short distance = 0,
        uint uptimeMinutes = 0, uint uptimeModuloDays = 0, uint magic = AnswerMagic)
    {
        var raw = new byte[AnswerLength];
        Span<byte> span = raw;
        BinaryPrimitives.WriteUInt32LittleEndian(span, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], status);
        uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], now);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], now);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], uptimeMinutes);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], uptimeModuloDays);
        BinaryPrimitives.WriteInt16LittleEndian(span[36..], distance);
        span[39] = 0;
        Put(span, 0, osName);
        Put(span, 1, osFlavor);
        Put(span, 4, linkType);
        return raw;
    }

    private static void Put(Span<byte> raw, int index, string text) =>
        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, 32)), raw.Slice(40 + (index * 32), 32));
}
