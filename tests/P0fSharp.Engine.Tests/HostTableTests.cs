using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tests.Support;
using P0fSharp.Engine.Tracking;
using P0fSharp.Signatures;
using P0fSharp.Signatures.Tcp;
using Xunit;
using static P0fSharp.Engine.Tests.Support.Net;

namespace P0fSharp.Engine.Tests;

/// <summary>
/// The compact host table: index, age list and slot reuse; the bit-plane NAT score ring
/// against p0f's plain 32-byte ring; option layouts that do not pack; registries across a
/// database reload.
/// </summary>
public sealed class HostTableTests
{
    [Fact]
    public void Score_planes_count_like_p0fs_byte_ring()
    {
        var random = new Random(7);
        var planes = default(NatScores);
        byte[] ring = new byte[NatScores.Slots];
        for (int step = 0; step < 20_000; step++)
        {
            if (random.Next(200) == 0)
            {
                planes.Clear();
                Array.Clear(ring);
                continue;
            }

            // Mostly small scores (the interesting thresholds), sometimes large ones.
            byte score = (byte)(random.Next(4) == 0 ? random.Next(256) : random.Next(10));
            planes.Push(score);
            Array.Copy(ring, 1, ring, 0, ring.Length - 1);
            ring[^1] = score;

            planes.Count(out uint over5, out uint over2, out uint over1, out uint over0);
            Assert.Equal((uint)ring.Count(s => s >= 6), over5);
            Assert.Equal((uint)ring.Count(s => s >= 3), over2);
            Assert.Equal((uint)ring.Count(s => s >= 2), over1);
            Assert.Equal((uint)ring.Count(s => s >= 1), over0);
        }
    }

    [Fact]
    public void Index_survives_growth_removal_and_slot_reuse()
    {
        var table = new HostTable(expectedHosts: 0);
        const int n = 20_000;
        var slots = new int[n];
        for (int i = 0; i < n; i++)
        {
            slots[i] = table.Add(Address(i), (uint)i);
        }

        Assert.Equal(n, table.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(slots[i], table.Find(Address(i)));
            Assert.Equal(Address(i), table[slots[i]].Address);
        }

        // IPv4 a.b.c.d and the IPv6 address with the same leading bytes are different hosts.
        var v4 = HostAddress.Parse("10.0.0.1");
        var v6 = new HostAddress(6, v4.High, v4.Low);
        int v4Slot = table.Add(v4, 1);
        Assert.Equal(HostSlot.None, table.Find(v6));
        int v6Slot = table.Add(v6, 1);
        Assert.NotEqual(v4Slot, v6Slot);
        Assert.Equal(v6Slot, table.Find(v6));

        for (int i = 0; i < n; i += 2)
        {
            table.Remove(slots[i]);
        }

        Assert.Equal((n / 2) + 2, table.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(i % 2 == 0 ? HostSlot.None : slots[i], table.Find(Address(i)));
        }

        // New hosts take the freed slots before the table grows.
        var freed = new HashSet<int>(slots.Where((_, i) => i % 2 == 0));
        for (int i = 0; i < n / 2; i++)
        {
            Assert.Contains(table.Add(Address(n + i), 5), freed);
        }

        Assert.Equal(0, table[table.Find(Address(n))].UseCount);
        Assert.Equal(255, table[table.Find(Address(n))].Distance);
    }

    [Fact]
    public void Age_list_is_least_recently_touched_first()
    {
        var table = new HostTable(expectedHosts: 16);
        int a = table.Add(Address(1), 10);
        int b = table.Add(Address(2), 11);
        int c = table.Add(Address(3), 12);
        Assert.Equal(a, table.Oldest);

        table.Touch(a, 13);
        Assert.Equal([b, c, a], AgeOrder(table));
        Assert.Equal(13u, table[a].LastSeen);

        table.Remove(c);
        Assert.Equal([b, a], AgeOrder(table));
        int d = table.Add(Address(4), 14);
        Assert.Equal(c, d);
        Assert.Equal([b, a, d], AgeOrder(table));
    }

    [Fact]
    public void Layouts_that_do_not_pack_are_compared_exactly()
    {
        var table = new HostTable(expectedHosts: 16);
        int host = table.Add(Address(1), 1);
        var packed = Layout(2, 4, 8, 1, 3);
        var odd = Layout(2, 4, 8, 1, 3, 30);
        var odd2 = Layout(2, 4, 8, 1, 3, 31);
        var many = Layout([.. Enumerable.Repeat((byte)1, 17)]);
        var many2 = Layout([.. Enumerable.Repeat((byte)1, 18)]);

        foreach (var stored in new[] { packed, odd, many, packed, many2, odd2 })
        {
            table.StoreReference(host, synAck: false, Fingerprint(stored), 0, null, fuzzy: false);
            foreach (var other in new[] { packed, odd, odd2, many, many2, Layout(), Layout(2, 4, 8, 1) })
            {
                Assert.Equal(stored == other, table.LayoutEquals(host, synAck: false, other));
            }
        }

        // The SYN+ACK reference is separate.
        table.StoreReference(host, synAck: true, Fingerprint(many), 0, null, fuzzy: true);
        Assert.True(table.LayoutEquals(host, synAck: true, many));
        Assert.True(table.LayoutEquals(host, synAck: false, odd2));
        Assert.True(table[host].LastSynAck.Fuzzy);
        Assert.True(table[host].LastSynAck.Present);

        // A removed host's spilled layouts do not leak into the slot's next owner.
        table.Remove(host);
        int next = table.Add(Address(2), 2);
        Assert.Equal(host, next);
        table.StoreReference(next, synAck: false, Fingerprint(packed), 0, null, fuzzy: false);
        Assert.False(table.LayoutEquals(next, synAck: false, odd2));
        Assert.True(table.LayoutEquals(next, synAck: false, packed));
    }

    [Fact]
    public void Host_answers_keep_their_labels_across_a_database_reload()
    {
        var net = new Net();
        net.Send("192.0.2.10", 40000, "192.0.2.1", 25, 1000, 0, TcpFlags.Syn, default, LinuxSyn());
        Assert.True(net.Engine.TryGetHost(HostAddress.Parse("192.0.2.10"), out var before));
        Assert.Equal("Linux", before.OsName);
        Assert.Equal("Ethernet or modem", before.LinkType);

        for (int i = 0; i < 3; i++)
        {
            net.Engine.Database = SignatureDatabase.Load(TestPaths.StockDatabasePath);
            Assert.True(net.Engine.TryGetHost(HostAddress.Parse("192.0.2.10"), out var after));
            Assert.Equal(before, after);
        }

        Assert.True(net.Engine.Hosts.Signatures.Count <= 1);
        Assert.True(net.Engine.Hosts.Labels.Count <= 1);
    }

    [Fact]
    public void A_random_source_syn_flood_stays_within_the_caps()
    {
        var net = new Net(options: new EngineOptions { OfflineMode = true, MaxHosts = 1000, MaxConnections = 100 });
        var server = HostAddress.Parse("2001:db8::25");
        var fp = LinuxSyn();
        long reservedAtHalf = 0;
        const int syns = 60_000;
        for (int i = 0; i < syns; i++)
        {
            net.Send(Address(i), (ushort)(1024 + (i % 50_000)), server, 25, (uint)i, 0, TcpFlags.Syn, default, fp, dt: 0.0001);
            Assert.True(net.Engine.HostCount <= 1002, $"{net.Engine.HostCount} hosts after {i + 1} SYNs");
            Assert.True(net.Engine.FlowCount <= 101, $"{net.Engine.FlowCount} flows after {i + 1} SYNs");
            if (i == syns / 2)
            {
                reservedAtHalf = net.Engine.Hosts.ReservedBytes;
            }
        }

        // Evicted hosts' slots are reused: the table stopped growing long before the end.
        Assert.Equal(reservedAtHalf, net.Engine.Hosts.ReservedBytes);
        Assert.True(net.Engine.Counters.HostsEvicted >= syns - 1002);
    }

    private static HostAddress Address(int i) => new(6, 0x20010db8_00000000UL | (uint)i, (ulong)i * 0x9E3779B97F4A7C15UL);

    private static TcpOptionLayout Layout(params byte[] kinds)
    {
        var layout = default(TcpOptionLayout);
        foreach (byte kind in kinds)
        {
            layout.TryAdd(kind);
        }

        return layout;
    }

    private static TcpFingerprint Fingerprint(in TcpOptionLayout layout) => new() { Layout = layout, Ttl = 64, Mss = 1460 };

    private static List<int> AgeOrder(HostTable table)
    {
        var order = new List<int>();
        for (int i = table.Oldest; i != HostSlot.None; i = table[i].Newer)
        {
            order.Add(i);
        }

        return order;
    }
}
