using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>A private redis-server on 127.0.0.1:6379 of the server namespace, and a RESP client for it.</summary>
internal sealed class Redis : IDisposable
{
    public const int Port = 6379;

    private readonly string _ns;
    private readonly ChildProcess _server;

    public Redis(string ns, string dir)
    {
        _ns = ns;
        Directory.CreateDirectory(dir);
        _server = ChildProcess.Start("redis", Path.Combine(dir, "redis.out"),
            NetworkLab.In(ns, "redis-server", "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture),
                "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"));
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (Execute("PING") is "PONG")
                {
                    return;
                }
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(15) && _server.IsRunning)
            {
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Runs one command; the reply is a string, a long, byte[] for bulk strings, or null.</summary>
    public object? Execute(params string[] args)
    {
        using Socket socket = NetworkLab.InNamespace(_ns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        socket.ReceiveTimeout = 5000;
        socket.Connect(new IPEndPoint(IPAddress.Loopback, Port));
        var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (string arg in args)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        socket.Send(Encoding.UTF8.GetBytes(request.ToString()));
        using var stream = new NetworkStream(socket);
        return ReadReply(stream);
    }

    public byte[]? GetBytes(string key) => Execute("GET", key) as byte[];

    public long Ttl(string key) => Execute("TTL", key) as long? ?? -3;

    private static object? ReadReply(Stream stream)
    {
        char kind = (char)stream.ReadByte();
        string line = ReadLine(stream);
        switch (kind)
        {
            case '+':
                return line;
            case '-':
                throw new IOException("redis: " + line);
            case ':':
                return long.Parse(line, CultureInfo.InvariantCulture);
            case '$':
                int length = int.Parse(line, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var data = new byte[length + 2];
                stream.ReadExactly(data);
                return data[..length];
            default:
                throw new IOException($"redis: unexpected reply '{kind}{line}'");
        }
    }

    private static string ReadLine(Stream stream)
    {
        var line = new StringBuilder();
        for (int i = 0; i < 4096; i++)
        {
            int b = stream.ReadByte();
            if (b < 0 || b == '\n')
            {
                break;
            }

            if (b != '\r')
            {
                line.Append((char)b);
            }
        }

        return line.ToString();
    }

    public void Dispose() => _server.Dispose();
}
