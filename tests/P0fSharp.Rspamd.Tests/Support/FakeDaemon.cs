using System.Collections.Concurrent;
using System.Net.Sockets;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>How the fake daemon treats each query.</summary>
public enum FakeMode
{
    /// <summary>A valid OK answer: FakeOS 1.0, link "Fake link", distance 7, uptime 4321 min.</summary>
    Ok,

    /// <summary>A valid "no match" answer.</summary>
    NoMatch,

    /// <summary>Reads the query and never answers.</summary>
    Silent,

    /// <summary>The OK answer, but only after <see cref="FakeDaemon.Delay"/>.</summary>
    Slow,

    /// <summary>Closes the connection without a byte.</summary>
    Close,

    /// <summary>The first 100 bytes of the OK answer, then closes.</summary>
    Short,

    /// <summary>The OK answer in two writes 150 ms apart.</summary>
    Split,

    /// <summary>232 bytes that are no answer at all.</summary>
    Garbage,

    /// <summary>The OK answer followed by 68 more bytes.</summary>
    Long,

    /// <summary>The OK answer with the magic 0xdeadbeef.</summary>
    BadMagic,

    /// <summary>Status 0x00: p0f's "bad query".</summary>
    BadQuery,

    /// <summary>Status 0x55, which p0f never sends.</summary>
    BadStatus,
}

/// <summary>
/// A misbehaving p0f API server on a unix socket (a file, so it serves rspamd in any network
/// namespace). Counts connections, so a test can prove a client did not ask.
/// </summary>
internal sealed class FakeDaemon : IDisposable
{
    public static readonly byte[] OkAnswer = P0fApi.Encode(P0fAnswer.Ok, "FakeOS", "1.0", "Fake link", 7, uptimeMinutes: 4321, uptimeModuloDays: 49);

    public static readonly IReadOnlyList<string> OkOptions = ["FakeOS 1.0", "link=Fake link", "distance=7", "uptime=4321min"];

    private readonly Socket _listener;
    private readonly ConcurrentBag<Socket> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile FakeMode _mode;
    private int _connections;

    public FakeDaemon(string socketPath)
    {
        SocketPath = socketPath;
        File.Delete(socketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, (UnixFileMode)Convert.ToInt32("666", 8));
        _listener.Listen(32);
        new Thread(AcceptLoop) { IsBackground = true, Name = "fake p0f" }.Start();
    }

    public string SocketPath { get; }

    public FakeMode Mode
    {
        get => _mode;
        set => _mode = value;
    }

    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(3);

    public int Connections => Volatile.Read(ref _connections);

    private void AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _open.Add(client);
            FakeMode mode = _mode;
            new Thread(() => Serve(client, mode)) { IsBackground = true }.Start();
        }
    }

    private void Serve(Socket client, FakeMode mode)
    {
        try
        {
            var query = new byte[P0fApi.QueryLength];
            int got = 0;
            client.ReceiveTimeout = 10_000;
            while (got < query.Length)
            {
                int n = client.Receive(query, got, query.Length - got, SocketFlags.None);
                if (n == 0)
                {
                    return;
                }

                got += n;
            }

            switch (mode)
            {
                case FakeMode.Ok:
                    client.Send(OkAnswer);
                    break;
                case FakeMode.NoMatch:
                    client.Send(P0fApi.Encode(P0fAnswer.NoMatch));
                    break;
                case FakeMode.Silent:
                    // hold the connection until the client gives up (or the test ends)
                    _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(20));
                    break;
                case FakeMode.Slow:
                    if (!_stop.Token.WaitHandle.WaitOne(Delay))
                    {
                        client.Send(OkAnswer);
                    }

                    break;
                case FakeMode.Close:
                    break;
                case FakeMode.Short:
                    client.Send(OkAnswer.AsSpan(0, 100));
                    break;
                case FakeMode.Split:
                    client.Send(OkAnswer.AsSpan(0, 116));
                    Thread.Sleep(150);
                    client.Send(OkAnswer.AsSpan(116));
                    break;
                case FakeMode.Garbage:
                    client.Send(Enumerable.Range(0, P0fApi.AnswerLength).Select(i => (byte)(0x41 + (i % 26))).ToArray());
                    break;
                case FakeMode.Long:
                    client.Send([.. OkAnswer, .. new byte[68]]);
                    break;
                case FakeMode.BadMagic:
                    client.Send(P0fApi.Encode(P0fAnswer.Ok, "FakeOS", "1.0", "Fake link", 7, magic: 0xdeadbeef));
                    break;
                case FakeMode.BadQuery:
                    client.Send(P0fApi.Encode(P0fAnswer.BadQuery));
                    break;
                case FakeMode.BadStatus:
                    client.Send(P0fApi.Encode(0x55, "FakeOS", "1.0", "Fake link", 7));
                    break;
            }

            // let the client read before the close reaches it
            Thread.Sleep(50);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the client went away: that is its business
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        foreach (Socket s in _open)
        {
            s.Dispose();
        }

        File.Delete(SocketPath);
        _stop.Dispose();
    }
}
