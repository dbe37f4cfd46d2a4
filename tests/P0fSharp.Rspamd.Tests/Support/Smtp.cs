using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>
/// A minimal SMTP server in the server namespace: accepts any mail and stores it with a
/// <c>Received:</c> header naming the peer, the way an MTA hands a message to rspamd.
/// </summary>
internal sealed class SmtpSink : IDisposable
{
    private readonly List<Socket> _listeners = [];
    private readonly BlockingCollection<string> _messages = [];
    private readonly string _outDir;
    private int _count;

    public SmtpSink(string ns, string outDir, params IPAddress[] addresses)
    {
        _outDir = outDir;
        foreach (IPAddress address in addresses)
        {
            Socket listener = NetworkLab.InNamespace(ns, () =>
            {
                var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                s.Bind(new IPEndPoint(address, 25));
                s.Listen(8);
                return s;
            });
            _listeners.Add(listener);
            new Thread(() => AcceptLoop(listener)) { IsBackground = true, Name = "smtp sink" }.Start();
        }
    }

    /// <summary>The next stored message file, waiting at most <paramref name="within"/>.</summary>
    public string NextMessage(TimeSpan within) =>
        _messages.TryTake(out string? path, within) ? path : throw new TimeoutException("the SMTP sink stored no message");

    private void AcceptLoop(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            new Thread(() => Serve(client)) { IsBackground = true }.Start();
        }
    }

    private void Serve(Socket client)
    {
        using (client)
        using (var stream = new NetworkStream(client))
        using (var reader = new StreamReader(stream, Encoding.Latin1))
        using (var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true })
        {
            client.ReceiveTimeout = 10_000;
            var peer = (IPEndPoint)client.RemoteEndPoint!;
            string helo = "unknown";
            try
            {
                writer.WriteLine("220 mx.example.org ESMTP p0fsharp test sink");
                for (int commands = 0; commands < 50; commands++)
                {
                    string? line = reader.ReadLine();
                    if (line == null)
                    {
                        return;
                    }

                    string verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                        case "HELO":
                            helo = line.Length > 5 ? line[5..].Trim() : helo;
                            writer.WriteLine("250 mx.example.org");
                            break;
                        case "DATA":
                            writer.WriteLine("354 go ahead");
                            Store(ReadData(reader), helo, peer.Address);
                            writer.WriteLine("250 2.0.0 queued");
                            break;
                        case "QUIT":
                            writer.WriteLine("221 bye");
                            return;
                        default:
                            writer.WriteLine("250 ok");
                            break;
                    }
                }
            }
            catch (IOException)
            {
                // the client hung up
            }
        }
    }

    private static string ReadData(StreamReader reader)
    {
        var body = new StringBuilder();
        for (int lines = 0; lines < 10_000; lines++)
        {
            string? line = reader.ReadLine();
            if (line == null || line == ".")
            {
                break;
            }

            body.Append(line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line).Append("\r\n");
        }

        return body.ToString();
    }

    private void Store(string message, string helo, IPAddress peer)
    {
        string date = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        string received = $"Received: from {helo} ([{peer}])\r\n\tby mx.example.org (p0fsharp test sink) with ESMTP; {date}\r\n";
        string path = Path.Combine(_outDir, $"smtp-{Interlocked.Increment(ref _count)}.eml");
        File.WriteAllText(path, received + message, Encoding.Latin1);
        _messages.Add(path);
    }

    public void Dispose()
    {
        foreach (Socket listener in _listeners)
        {
            listener.Dispose();
        }

        _messages.Dispose();
    }
}

/// <summary>An SMTP client session from inside the client namespace.</summary>
internal static class SmtpClient
{
    public static void Send(string ns, IPAddress server, string subject)
    {
        using Socket socket = NetworkLab.InNamespace(ns, () => new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        socket.ReceiveTimeout = 10_000;
        socket.SendTimeout = 10_000;
        socket.Connect(new IPEndPoint(server, 25));
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };

        void Expect(string code)
        {
            string? reply = reader.ReadLine();
            if (reply == null || !reply.StartsWith(code, StringComparison.Ordinal))
            {
                throw new IOException($"SMTP: expected {code}, got '{reply}'");
            }
        }

        Expect("220");
        writer.WriteLine("EHLO client.example.net");
        Expect("250");
        writer.WriteLine("MAIL FROM:<sender@example.net>");
        Expect("250");
        writer.WriteLine("RCPT TO:<rcpt@example.org>");
        Expect("250");
        writer.WriteLine("DATA");
        Expect("354");
        string date = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        writer.Write(
            "From: Sender <sender@example.net>\r\n" +
            "To: <rcpt@example.org>\r\n" +
            $"Subject: {subject}\r\n" +
            $"Date: {date}\r\n" +
            $"Message-ID: <{Guid.NewGuid():N}@example.net>\r\n" +
            "MIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=us-ascii\r\n" +
            "\r\n" +
            "Hello from the P0fSharp rspamd end-to-end test.\r\n" +
            ".\r\n");
        Expect("250");
        writer.WriteLine("QUIT");
        Expect("221");
    }
}
