using System.Collections.Concurrent;
using P0fSharp.Engine.Hosts;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Api.Tests.Support;

/// <summary>A host table stand-in: a dictionary of snapshots, counting lookups.</summary>
internal sealed class FakeLookup : IHostLookup
{
    private readonly ConcurrentDictionary<HostAddress, HostSnapshot> _hosts = new();
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public FakeLookup With(string address, HostSnapshot host)
    {
        _hosts[HostAddress.Parse(address)] = host;
        return this;
    }

    public bool TryGetHost(HostAddress address, out HostSnapshot snapshot)
    {
        Interlocked.Increment(ref _calls);
        return _hosts.TryGetValue(address, out snapshot);
    }

    /// <summary>The record p0f held for 127.0.0.5 in vectors/out/api_test.txt.</summary>
    public static HostSnapshot Host127_0_0_5 => new()
    {
        FirstSeen = 1795585360,
        LastSeen = 1795585362,
        TotalConnections = 2,
        UptimeMinutes = 18,
        UptimeModuloDays = 55,
        Distance = 4,
        OsName = "Linux",
        OsFlavor = "3.11 and newer",
        HttpName = "Firefox",
        HttpFlavor = "10.x or newer",
        LinkType = "DSL",
        Language = "French",
    };

    /// <summary>127.0.0.5 and ::1 known, as in the transcript.</summary>
    public static FakeLookup Standard() => new FakeLookup()
        .With("127.0.0.5", Host127_0_0_5)
        .With("::1", new HostSnapshot
        {
            FirstSeen = 1795585362,
            LastSeen = 1795585362,
            TotalConnections = 2,
            OsName = "Linux",
            OsFlavor = "3.11 and newer",
            LinkType = "Ethernet or modem",
        });
}
