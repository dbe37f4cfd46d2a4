using System.Diagnostics;
using System.Net.Sockets;
using P0fSharp.Api.Tests.Support;
using P0fSharp.Engine.Hosts;
using P0fSharp.Engine.Packets;
using Xunit;

namespace P0fSharp.Api.Tests;

/// <summary>Query handling over real unix sockets (spec §7.3, §10.4).</summary>
public sealed class ApiServerTests
{
    [Fact]
    public void Ok_answer_on_the_wire_matches_p0f_byte_for_byte()
    {
        using var s = new RunningServer();
        using var c = s.Connect();
        byte[] r = c.Ask(Queries.For("127.0.0.5"));
        Assert.Equal(Queries.Hex(Queries.FromDump(WireFormatTests.P0fAnswer127_0_0_5)), Queries.Hex(r));
    }

    [Fact]
    public void Unknown_host_gets_NoMatch_and_zeroes()
    {
        using var s = new RunningServer();
        using var c = s.Connect();
        byte[] r = c.Ask(Queries.For("127.0.0.99"));
        Assert.Equal("0246305020000000" + new string('0', 448), Queries.Hex(r));
    }

    [Fact]
    public void Long_names_arrive_truncated_to_32_bytes_without_NUL()
    {
        var lookup = new FakeLookup().With("127.0.0.7", new HostSnapshot
        {
            OsName = "AnOperatingSystemNameLongerThan32Bytes",
            OsFlavor = "and a flavour that is also longer than 32 bytes, 52b",
        });
        using var s = new RunningServer(lookup);
        using var c = s.Connect();
        byte[] r = c.Ask(Queries.For("127.0.0.7"));
        Assert.Equal("AnOperatingSystemNameLongerThan3and a flavour that is also longe"u8.ToArray(), r.AsSpan(40, 64).ToArray());
        Assert.Equal(0, r[104]);
    }

    [Fact]
    public void IPv4_garbage_in_bytes_4_to_15_is_ignored_and_IPv6_works()
    {
        using var s = new RunningServer();
        using var c = s.Connect();
        byte[] addr = [127, 0, 0, 5, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9];
        byte[] r = c.Ask(Queries.Raw(ApiProtocol.QueryMagic, 4, addr));
        Assert.Equal(ApiStatus.Ok, Queries.Status(r));
        Assert.Equal(2u, Queries.U32(r, 16));

        byte[] v6 = c.Ask(Queries.For("::1"));
        Assert.Equal(ApiStatus.Ok, Queries.Status(v6));
        Assert.Equal("Linux"u8.ToArray(), v6.AsSpan(40, 5).ToArray());

        // 127.0.0.5 asked as an IPv6 address is another host
        byte[] mapped = new byte[16];
        mapped[0] = 127;
        mapped[3] = 5;
        Assert.Equal(ApiStatus.NoMatch, Queries.Status(c.Ask(Queries.Raw(ApiProtocol.QueryMagic, 6, mapped))));
    }

    [Fact]
    public void Bad_queries_get_BadQuery_warn_and_keep_the_connection()
    {
        using var s = new RunningServer();
        using var c = s.Connect();

        byte[] badMagic = c.Ask(Queries.Raw(0x12345678, 4, new byte[16]));
        Assert.Equal("0246305000000000" + new string('0', 448), Queries.Hex(badMagic));
        byte[] badType = c.Ask(Queries.Raw(ApiProtocol.QueryMagic, 5, new byte[16]));
        Assert.Equal("0246305000000000" + new string('0', 448), Queries.Hex(badType));
        Assert.Equal(ApiStatus.Ok, Queries.Status(c.Ask(Queries.For("127.0.0.5"))));

        Assert.Equal(["Query with bad magic (0x12345678).", "Query with unknown address type 5.\n"], s.Warnings.All);
        Assert.True(Wait.Until(() => s.Server.Counters.QueriesAnswered == 3));
        ApiServerCounters counters = s.Server.Counters;
        Assert.Equal(2, counters.QueriesBad);
        Assert.Equal(1, counters.QueriesOk);
    }

    [Fact]
    public void Query_split_7_8_6_with_pauses_is_answered_once_complete()
    {
        var lookup = FakeLookup.Standard();
        using var s = new RunningServer(lookup);
        using var c = s.Connect();
        byte[] q = Queries.For("127.0.0.5");

        c.Send(q.AsSpan(0, 7));
        Thread.Sleep(150);
        c.Send(q.AsSpan(7, 8));
        Thread.Sleep(150);
        Assert.False(c.ReadableWithin(100));
        Assert.Equal(0, lookup.Calls);
        c.Send(q.AsSpan(15, 6));

        byte[] r = c.Receive();
        Assert.Equal(Queries.Hex(Queries.FromDump(WireFormatTests.P0fAnswer127_0_0_5)), Queries.Hex(r));
        Assert.Equal(1, lookup.Calls);
    }

    [Fact]
    public void Answer_is_a_snapshot_taken_when_the_21st_byte_arrives()
    {
        var lookup = new FakeLookup().With("10.0.0.1", new HostSnapshot { TotalConnections = 1 });
        using var s = new RunningServer(lookup);
        using var c = s.Connect();
        byte[] q = Queries.For("10.0.0.1");

        c.Send(q.AsSpan(0, 20));
        Thread.Sleep(100);
        lookup.With("10.0.0.1", new HostSnapshot { TotalConnections = 7 });
        c.Send(q.AsSpan(20));
        Assert.Equal(7u, Queries.U32(c.Receive(), 16));
    }

    [Fact]
    public void Three_pipelined_queries_are_answered_in_order()
    {
        using var s = new RunningServer();
        using var c = s.Connect();
        c.Send([.. Queries.For("127.0.0.5"), .. Queries.For("127.0.0.99"), .. Queries.For("::1")]);
        byte[] all = c.Receive(3 * ApiProtocol.ResponseSize);
        ApiStatus[] statuses = [.. Enumerable.Range(0, 3).Select(i => Queries.Status(all[(i * 232)..((i + 1) * 232)]))];
        Assert.Equal([ApiStatus.Ok, ApiStatus.NoMatch, ApiStatus.Ok], statuses);
        Assert.Equal(1795585360u, Queries.U32(all, 8));
        Assert.Equal(1795585362u, Queries.U32(all, 464 + 8));
    }

    [Fact]
    public void Many_pipelined_queries_in_odd_chunks_are_all_answered_in_order()
    {
        var lookup = new FakeLookup();
        for (int i = 1; i <= 50; i++)
        {
            lookup.With($"10.1.0.{i}", new HostSnapshot { TotalConnections = (uint)i });
        }

        using var s = new RunningServer(lookup);
        using var c = s.Connect();
        byte[] stream = [.. Enumerable.Range(1, 100).SelectMany(i => Queries.For($"10.1.0.{i}"))];
        var writer = new Thread(() =>
        {
            for (int at = 0; at < stream.Length; at += 13)
            {
                c.Send(stream.AsSpan(at, Math.Min(13, stream.Length - at)));
            }
        });
        writer.Start();
        byte[] all = c.Receive(100 * ApiProtocol.ResponseSize);
        Assert.True(writer.Join(10_000));
        for (int i = 1; i <= 100; i++)
        {
            byte[] r = all[((i - 1) * 232)..(i * 232)];
            Assert.Equal(i <= 50 ? ApiStatus.Ok : ApiStatus.NoMatch, Queries.Status(r));
            Assert.Equal(i <= 50 ? (uint)i : 0u, Queries.U32(r, 16));
        }
    }

    [Fact]
    public void Connection_limit_leaves_extra_clients_in_the_backlog_until_a_slot_frees()
    {
        using var s = new RunningServer(maxClients: 2);
        using var first = s.Connect();
        using var second = s.Connect();
        // both served, so both hold a slot
        Assert.Equal(ApiStatus.Ok, Queries.Status(first.Ask(Queries.For("127.0.0.5"))));
        Assert.Equal(ApiStatus.Ok, Queries.Status(second.Ask(Queries.For("127.0.0.5"))));

        using var third = s.Connect(); // connect succeeds: it waits in the kernel backlog
        third.Send(Queries.For("127.0.0.5"));
        Assert.False(third.ReadableWithin(800));
        Assert.Equal(2, s.Server.Counters.ConnectionsAccepted);
        Assert.True(Wait.Until(() => s.Warnings.Count(ApiServer.TooManyConnectionsWarning) == 1));

        first.Dispose();
        var sw = Stopwatch.StartNew();
        byte[] r = third.Receive();
        Assert.Equal(ApiStatus.Ok, Queries.Status(r));
        Assert.True(sw.ElapsedMilliseconds < 5_000);

        // the waiting lasted many poll rounds but was reported once, plus one summary
        Assert.True(Wait.Until(() => s.Warnings.CountStartingWith("API connection backlog drained: 1 connection(s)") == 1));
        Assert.Equal(1, s.Warnings.Count(ApiServer.TooManyConnectionsWarning));
        Assert.Equal(1, s.Server.Counters.OverflowEpisodes);
        Assert.Equal(3, s.Server.Counters.ConnectionsAccepted);
        Assert.True(Wait.Until(() => s.Server.Counters.ActiveConnections == 2));
    }

    [Fact]
    public void A_second_overflow_episode_warns_again()
    {
        using var s = new RunningServer(maxClients: 1);
        for (int round = 1; round <= 2; round++)
        {
            // the previous round's connections must be gone, or the next one briefly overflows
            Assert.True(Wait.Until(() => s.Server.Counters.ActiveConnections == 0));
            using var holder = s.Connect();
            Assert.Equal(ApiStatus.Ok, Queries.Status(holder.Ask(Queries.For("127.0.0.5"))));
            using var waiter = s.Connect();
            waiter.Send(Queries.For("127.0.0.5"));
            Assert.True(Wait.Until(() => s.Server.Counters.OverflowEpisodes == round));
            holder.Dispose();
            Assert.Equal(ApiStatus.Ok, Queries.Status(waiter.Receive()));
            Assert.True(Wait.Until(() => s.Warnings.CountStartingWith("API connection backlog drained") == round));
        }

        Assert.Equal(2, s.Warnings.Count(ApiServer.TooManyConnectionsWarning));
    }

    [Fact]
    public void A_client_that_sends_10_bytes_and_hangs_does_not_stop_others()
    {
        using var s = new RunningServer(maxClients: 3);
        using var hung = s.Connect();
        hung.Send(Queries.For("127.0.0.5").AsSpan(0, 10));
        using var hung2 = s.Connect();
        hung2.Send(Queries.For("127.0.0.5").AsSpan(0, 20));

        for (int i = 0; i < 5; i++)
        {
            using var other = s.Connect();
            Assert.Equal(ApiStatus.Ok, Queries.Status(other.Ask(Queries.For("127.0.0.5"))));
        }

        Assert.False(hung.ReadableWithin(50));

        // and the hung one is still served once it completes its query
        hung.Send(Queries.For("127.0.0.5").AsSpan(10));
        Assert.Equal(ApiStatus.Ok, Queries.Status(hung.Receive()));
    }

    [Fact]
    public void Clients_that_vanish_mid_query_or_mid_answer_are_dropped_and_the_server_goes_on()
    {
        using var s = new RunningServer(maxClients: 2);

        using (var c = s.Connect())
        {
            c.Send(Queries.For("127.0.0.5").AsSpan(0, 10));
        }

        // many queries, then gone without reading: the answers hit a closed peer
        using (var c = s.Connect())
        {
            c.Socket.LingerState = new LingerOption(true, 0);
            c.Send([.. Enumerable.Range(0, 400).SelectMany(_ => Queries.For("127.0.0.5"))]);
        }

        Assert.True(Wait.Until(() => s.Server.Counters.ClientsDropped == 2 && s.Server.Counters.ActiveConnections == 0));

        // a clean close between queries is not a drop
        using (var c = s.Connect())
        {
            Assert.Equal(ApiStatus.Ok, Queries.Status(c.Ask(Queries.For("127.0.0.5"))));
        }

        Assert.True(Wait.Until(() => s.Server.Counters.ActiveConnections == 0));
        Assert.Equal(2, s.Server.Counters.ClientsDropped);
        Assert.Equal(3, s.Server.Counters.ConnectionsAccepted);

        using var after = s.Connect();
        Assert.Equal(ApiStatus.Ok, Queries.Status(after.Ask(Queries.For("127.0.0.5"))));
        Assert.True(s.Server.IsListening);
    }

    [Fact]
    public void Dispose_is_prompt_with_hung_and_non_reading_clients_and_removes_the_file()
    {
        var dir = new TempSocketDir();
        string path = dir.File();
        var server = new ApiServer(new ApiServerOptions { SocketPath = path, MaxClients = 4 }, FakeLookup.Standard());
        server.Start();

        using var hung = TestClient.Connect(path);
        hung.Send(new byte[5]);
        using var flooder = TestClient.Connect(path);
        using var stop = new CancellationTokenSource();
        var flood = new Thread(() =>
        {
            byte[] many = [.. Enumerable.Range(0, 1000).SelectMany(_ => Queries.For("127.0.0.5"))];
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    flooder.Send(many); // never reads: the server ends up blocked in send
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        flood.Start();
        using var waiting = TestClient.Connect(path);
        Assert.True(Wait.Until(() => server.Counters.ActiveConnections == 3));
        Thread.Sleep(300);

        var sw = Stopwatch.StartNew();
        server.Dispose();
        Assert.True(sw.ElapsedMilliseconds < 2_000, $"Dispose took {sw.ElapsedMilliseconds} ms");
        Assert.False(File.Exists(path));
        Assert.False(server.IsListening);
        Assert.True(Wait.Until(() => server.Counters.ActiveConnections == 0, 3_000));
        Assert.Equal(3, server.Counters.ClientsDropped);

        // clients see the end
        Assert.True(hung.ReadableWithin(2_000));
        Assert.Equal(0, hung.Socket.Receive(new byte[1]));
        stop.Cancel();
        flooder.Socket.Dispose();
        Assert.True(flood.Join(5_000));
        Assert.Throws<ObjectDisposedException>(server.Start);
        server.Dispose(); // idempotent
        dir.Dispose();
    }

    [Fact]
    public void Dispose_with_idle_accept_returns_quickly_and_never_started_dispose_is_harmless()
    {
        using var dir = new TempSocketDir();
        var server = new ApiServer(new ApiServerOptions { SocketPath = dir.File() }, FakeLookup.Standard());
        server.Dispose();
        Assert.False(File.Exists(dir.File()));

        var started = new ApiServer(new ApiServerOptions { SocketPath = dir.File() }, FakeLookup.Standard());
        started.Start();
        Assert.Throws<InvalidOperationException>(started.Start);
        Thread.Sleep(100);
        var sw = Stopwatch.StartNew();
        started.Dispose();
        Assert.True(sw.ElapsedMilliseconds < 1_000, $"Dispose took {sw.ElapsedMilliseconds} ms");
        Assert.False(File.Exists(dir.File()));
    }

    [Fact]
    public void Dispose_while_clients_wait_in_the_backlog_is_prompt()
    {
        using var dir = new TempSocketDir();
        var server = new ApiServer(new ApiServerOptions { SocketPath = dir.File(), MaxClients = 1 }, FakeLookup.Standard());
        server.Start();
        using var holder = TestClient.Connect(dir.File());
        Assert.Equal(ApiStatus.Ok, Queries.Status(holder.Ask(Queries.For("127.0.0.5"))));
        using var waiter = TestClient.Connect(dir.File());
        Assert.True(Wait.Until(() => server.Counters.OverflowEpisodes == 1));
        var sw = Stopwatch.StartNew();
        server.Dispose();
        Assert.True(sw.ElapsedMilliseconds < 1_500, $"Dispose took {sw.ElapsedMilliseconds} ms");
        Assert.Equal(1, server.Counters.ConnectionsAccepted);
    }

    [Fact]
    public void A_throwing_lookup_or_sink_costs_only_that_connection()
    {
        using var dir = new TempSocketDir();
        var lookup = new ThrowingLookup();
        using var server = new ApiServer(new ApiServerOptions { SocketPath = dir.File() }, lookup, _ => throw new InvalidOperationException("sink"));
        server.Start();
        using (var c = TestClient.Connect(dir.File()))
        {
            c.Send(Queries.Raw(7, 4, new byte[16])); // warning sink throws: ignored
            Assert.Equal(ApiStatus.BadQuery, Queries.Status(c.Receive()));
            c.Send(Queries.For("10.9.9.9")); // lookup throws: connection closed
            Assert.True(c.ReadableWithin(5_000));
            Assert.Equal(0, c.Socket.Receive(new byte[232]));
        }

        using var next = TestClient.Connect(dir.File());
        Assert.Equal(ApiStatus.NoMatch, Queries.Status(next.Ask(Queries.For("10.0.0.1"))));
        Assert.True(Wait.Until(() => server.Counters.ClientsDropped == 1));
    }

    [Fact]
    public void Parallel_clients_get_their_own_answers()
    {
        var lookup = new FakeLookup();
        for (int i = 1; i <= 16; i++)
        {
            lookup.With($"10.2.0.{i}", new HostSnapshot { TotalConnections = (uint)(1000 + i) });
        }

        using var s = new RunningServer(lookup, maxClients: 16);
        Parallel.For(1, 17, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            using var c = s.Connect();
            byte[] q = Queries.For($"10.2.0.{i}");
            for (int k = 0; k < 200; k++)
            {
                Assert.Equal((uint)(1000 + i), Queries.U32(c.Ask(q), 16));
            }
        });
        Assert.True(Wait.Until(() => s.Server.Counters.QueriesOk == 16 * 200));
    }

    [Fact]
    public void Connection_threads_are_reused_and_never_outnumber_the_connection_limit()
    {
        using var s = new RunningServer(maxClients: 3);
        for (int round = 0; round < 5; round++)
        {
            Assert.True(Wait.Until(() => s.Server.Counters.ActiveConnections == 0));
            TestClient[] clients = [s.Connect(), s.Connect(), s.Connect()];
            foreach (TestClient c in clients)
            {
                Assert.Equal(ApiStatus.Ok, Queries.Status(c.Ask(Queries.For("127.0.0.5"))));
            }

            foreach (TestClient c in clients)
            {
                c.Dispose();
            }
        }

        // one connection per query, as rspamd's p0f module asks
        for (int i = 0; i < 200; i++)
        {
            using var c = s.Connect();
            Assert.Equal(ApiStatus.Ok, Queries.Status(c.Ask(Queries.For("127.0.0.5"))));
        }

        Assert.InRange(s.Server.ServerThreads.Count, 2, 4); // the overflow watch and at most 3 connection threads
        Assert.Equal(215, s.Server.Counters.ConnectionsAccepted);
        Assert.True(Wait.Until(() => s.Server.Counters.ActiveConnections == 0));
        Assert.Equal(0, s.Server.Counters.ClientsDropped);
    }

    [Fact]
    public void Connect_per_query_clients_need_about_a_thread_each_not_the_connection_limit()
    {
        using var s = new RunningServer(maxClients: 64);
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (int i = 0; i < 150; i++)
            {
                using var c = s.Connect();
                Assert.Equal(ApiStatus.Ok, Queries.Status(c.Ask(Queries.For("127.0.0.5"))));
            }
        });

        // Four clients, each with one connection at a time (and perhaps its previous one not yet
        // seen closed): idle threads wait in accept() and take the next connection themselves,
        // so the pool stays near the clients' number rather than growing towards -S.
        Assert.InRange(s.Server.ServerThreads.Count, 2, 1 + 16);
        Assert.Equal(600, s.Server.Counters.ConnectionsAccepted);
        Assert.True(Wait.Until(() => s.Server.Counters.ActiveConnections == 0));
    }

    [Fact]
    public void Dispose_ends_every_server_thread_whatever_its_connection_was_doing()
    {
        var dir = new TempSocketDir();
        var server = new ApiServer(new ApiServerOptions { SocketPath = dir.File(), MaxClients = 4 }, FakeLookup.Standard());
        server.Start();
        using var idle = TestClient.Connect(dir.File());
        using var midQuery = TestClient.Connect(dir.File());
        midQuery.Send(Queries.For("127.0.0.5").AsSpan(0, 20));
        using var served = TestClient.Connect(dir.File());
        Assert.Equal(ApiStatus.Ok, Queries.Status(served.Ask(Queries.For("127.0.0.5"))));
        Assert.True(Wait.Until(() => server.Counters.ActiveConnections == 3));
        IReadOnlyList<Thread> threads = server.ServerThreads;
        Assert.Equal(5, threads.Count); // the overflow watch, three serving, one waiting in accept()

        server.Dispose();
        Assert.All(threads, t => Assert.False(t.IsAlive, $"{t.Name} still running"));
        Assert.Equal(3, server.Counters.ClientsDropped);
        Assert.Equal(0, server.Counters.ActiveConnections);
        dir.Dispose();
    }

    [Fact]
    public void Options_are_validated()
    {
        var lookup = new FakeLookup();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiServer(new ApiServerOptions { SocketPath = "/tmp/x", MaxClients = 0 }, lookup));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiServer(new ApiServerOptions { SocketPath = "/tmp/x", MaxClients = 101 }, lookup));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiServer(new ApiServerOptions { SocketPath = "/tmp/x", FileMode = (UnixFileMode)0x800 }, lookup));
        Assert.Throws<ArgumentException>(() => new ApiServer(new ApiServerOptions { SocketPath = "" }, lookup));
        using var ok = new ApiServer(new ApiServerOptions { SocketPath = "/tmp/x", MaxClients = 100 }, lookup);
        Assert.Equal(100, ok.MaxClients);
    }

    private sealed class ThrowingLookup : IHostLookup
    {
        public bool TryGetHost(HostAddress address, out HostSnapshot snapshot)
        {
            if (address == HostAddress.Parse("10.9.9.9"))
            {
                throw new InvalidOperationException("lookup failed");
            }

            snapshot = default;
            return false;
        }
    }
}
