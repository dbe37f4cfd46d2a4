using P0fSharp.Engine.Hosts;
using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tracking;
using P0fSharp.Signatures;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine;

/// <summary>
/// p0f's per-packet processing: flow dispatch by packet type, TCP and MTU fingerprinting,
/// uptime, NAT / host-change scoring, host and flow tracking with p0f's limits and expiry.
/// One capture thread calls <see cref="Process"/>; API threads read hosts under the same lock.
/// </summary>
public sealed partial class TrafficEngine : IHostLookup
{
    private const int ExpireInterval = 50;
    private const int KillPercent = 10;
    private const ushort SpecialMss = 1331;
    private const ushort SpecialWindow = 1337;

    private readonly object _gate = new();
    private readonly EngineOptions _options;
    private readonly ObservationBuilder _observation;
    private readonly FlowTable _flows;
    private readonly HostTable _hosts;
    private readonly TcpObservationWriter _tcpWriter;
    private IPayloadAnalyzer _payload = NoPayloadAnalyzer.Instance;
    private SignatureDatabase _database;
    private long _packetCount;
    private uint _lastExpirySecond;
    private PacketTime _now;

    public TrafficEngine(SignatureDatabase database, EngineOptions options, IObservationSink sink)
    {
        _database = database;
        _options = options;
        _observation = new ObservationBuilder(sink);
        _flows = new FlowTable(options.MaxConnections);
        _hosts = new HostTable(options.MaxHosts);
        _tcpWriter = new TcpObservationWriter(_observation);
        EnableHttpFingerprinting();
    }

    public EngineCounters Counters { get; } = new();

    /// <summary>Warnings p0f prints in live mode (cache pressure); text without prefix.</summary>
    public Action<string>? Warning { get; set; }

    /// <summary>The database in use; replaced atomically on reload, host state is kept.</summary>
    public SignatureDatabase Database
    {
        get => Volatile.Read(ref _database);
        set
        {
            lock (_gate)
            {
                Volatile.Write(ref _database, value);
                _hosts.CompactRegistries();
            }
        }
    }

    public int FlowCount => _flows.Count;

    public int HostCount => _hosts.Count;

    /// <summary>
    /// Accounts one packet delivered by the capture (valid or not, as p0f counts them for its
    /// expiry cadence) and, when <paramref name="decoded"/>, processes it.
    /// </summary>
    public void Process(PacketTime time, ref DecodedPacket packet, bool decoded)
    {
        lock (_gate)
        {
            _now = time;
            _packetCount++;
            Counters.PacketsSeen++;
            if (_packetCount % ExpireInterval == 0)
            {
                ExpireCache();
            }

            if (!decoded)
            {
                Counters.PacketsDropped++;
                return;
            }

            Dispatch(ref packet);
        }
    }

    public bool TryGetHost(HostAddress address, out HostSnapshot snapshot)
    {
        lock (_gate)
        {
            int index = _hosts.Find(address);
            if (index == HostSlot.None)
            {
                snapshot = default;
                return false;
            }

            ref readonly HostSlot host = ref _hosts[index];
            var os = _hosts.Labels[host.LastLabel];
            var http = _hosts.Labels[host.HttpLabel];
            snapshot = new HostSnapshot
            {
                FirstSeen = host.FirstSeen,
                LastSeen = host.LastSeen,
                TotalConnections = host.TotalConnections,
                UptimeMinutes = host.LastUptimeMinutes < 0 ? 0 : (uint)host.LastUptimeMinutes,
                UptimeModuloDays = host.UptimeModuloDays,
                LastNat = host.LastNat,
                LastChange = host.LastChange,
                Distance = host.Distance,
                BadSoftware = host.BadSoftware,
                OsMatchQuality = host.LastQuality,
                OsName = os?.Name,
                OsFlavor = os?.Flavor,
                HttpName = http?.Name,
                HttpFlavor = http?.Flavor,
                LinkType = _hosts.Strings[host.LinkType],
                Language = _hosts.Strings[host.Language],
            };
            return true;
        }
    }

    internal void SetPayloadAnalyzer(IPayloadAnalyzer analyzer) => _payload = analyzer;

    internal PacketTime Now => _now;

    private uint NowSeconds => (uint)_now.Seconds;

    private void Dispatch(ref DecodedPacket packet)
    {
        var key = new FlowKey(packet.Source, packet.Destination, packet.SourcePort, packet.DestinationPort);
        var flow = _flows.Find(key, out bool toServer);
        var type = packet.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin | TcpFlags.Rst);

        switch (type)
        {
            case TcpFlags.Syn:
                if (flow != null)
                {
                    if (toServer && flow.NextClientSeq - 1 == packet.Sequence)
                    {
                        return;
                    }

                    DestroyFlow(flow);
                }

                flow = CreateFlowFromSyn(key, packet.Sequence);
                HandleSyn(flow, ref packet);
                break;

            case TcpFlags.Syn | TcpFlags.Ack:
                if (flow is null)
                {
                    return;
                }

                HandleSynAck(flow, toServer, ref packet);
                break;

            case TcpFlags.Rst | TcpFlags.Ack:
            case TcpFlags.Rst:
            case TcpFlags.Fin | TcpFlags.Ack:
            case TcpFlags.Fin:
                if (flow != null)
                {
                    CheckUptime(toServer, flow, ref packet);
                    DestroyFlow(flow);
                }

                break;

            case TcpFlags.Ack:
                if (flow != null)
                {
                    HandleAck(flow, toServer, ref packet);
                }

                break;

            default:
                // The decoder drops every other flag combination already.
                break;
        }
    }

    private void HandleSyn(Flow flow, ref DecodedPacket packet)
    {
        var match = FingerprintTcp(true, flow, ref packet, out bool keep);
        if (!keep && !flow.SendSyn)
        {
            DestroyFlow(flow);
            return;
        }

        FingerprintMtu(true, flow, ref packet);
        CheckUptime(true, flow, ref packet);
        if (keep)
        {
            _hosts.StoreReference(flow.Client, synAck: false, packet.Fingerprint, _now.Milliseconds, match.Signature, match.Fuzzy);
        }
    }

    private void HandleSynAck(Flow flow, bool toServer, ref DecodedPacket packet)
    {
        if (flow.SendSyn)
        {
            FingerprintTcp(false, flow, ref packet, out _);
            DestroyFlow(flow);
            return;
        }

        if (toServer || flow.Acknowledged)
        {
            return;
        }

        flow.Acknowledged = true;
        var match = FingerprintTcp(false, flow, ref packet, out bool keep);
        if (!keep)
        {
            DestroyFlow(flow);
            return;
        }

        FingerprintMtu(false, flow, ref packet);
        CheckUptime(false, flow, ref packet);
        _hosts.StoreReference(flow.Server, synAck: true, packet.Fingerprint, _now.Milliseconds, match.Signature, match.Fuzzy);
        flow.NextServerSeq = packet.Sequence + 1;
    }

    private void HandleAck(Flow flow, bool toServer, ref DecodedPacket packet)
    {
        if (flow.SendSyn || !flow.Acknowledged)
        {
            DestroyFlow(flow);
            return;
        }

        int length = packet.Payload.Length;
        if (toServer)
        {
            if (flow.NextClientSeq != packet.Sequence)
            {
                Counters.SegmentsOutOfSequence++;
                return;
            }

            _payload.Append(flow, true, packet.Payload);
            CheckUptime(true, flow, ref packet);
            flow.NextClientSeq += (uint)length;
        }
        else
        {
            if (flow.NextServerSeq != packet.Sequence)
            {
                Counters.SegmentsOutOfSequence++;
                return;
            }

            _payload.Append(flow, false, packet.Payload);
            CheckUptime(false, flow, ref packet);
            flow.NextServerSeq += (uint)length;
        }

        if (length == 0)
        {
            return;
        }

        if (!_payload.Process(flow, toServer, _now))
        {
            DestroyFlow(flow);
            return;
        }

        if (_payload.BuffersFull(flow))
        {
            DestroyFlow(flow);
        }
    }

    /// <summary>
    /// p0f's fingerprint_tcp: match, print the syn / syn+ack observation, update distance,
    /// run the tool-vs-OS check or NAT scoring. <paramref name="keep"/> is false where p0f
    /// returns no signature (application match or sendsyn flow).
    /// </summary>
    private TcpMatchResult FingerprintTcp(bool toServer, Flow flow, ref DecodedPacket packet, out bool keep)
    {
        ref readonly var fp = ref packet.Fingerprint;
        bool isSyn = (packet.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin | TcpFlags.Rst)) == TcpFlags.Syn;
        if (isSyn && fp.Window == SpecialWindow && fp.Mss == SpecialMss)
        {
            flow.SendSyn = true;
        }

        if (isSyn)
        {
            Counters.SynFingerprinted++;
        }
        else
        {
            Counters.SynAckFingerprinted++;
        }

        var match = Database.MatchTcp(fp, !isSyn, flow.SynMss);
        string module = toServer
            ? (flow.SendSyn ? "sendsyn probe" : "syn")
            : (flow.SendSyn ? "sendsyn response" : "syn+ack");
        BeginObservation(module, flow, toServer);
        _tcpWriter.Write(in fp, in match, !isSyn, flow.SynMss, flow.SendSyn);

        var matched = match.Signature;
        if (matched is null || !matched.BadTtl)
        {
            _hosts[toServer ? flow.Client : flow.Server].Distance = (byte)match.Distance;
        }

        if (isSyn)
        {
            flow.SynMss = fp.Mss;
        }

        if (matched != null && matched.Label.IsApplication)
        {
            VerifyToolClass(toServer, flow, matched.Label);
            keep = false;
            return match;
        }

        if (flow.SendSyn)
        {
            keep = false;
            return match;
        }

        ScoreNat(toServer, flow, ref packet, match);
        keep = true;
        return match;
    }

    private void FingerprintMtu(bool toServer, Flow flow, ref DecodedPacket packet)
    {
        ref readonly var fp = ref packet.Fingerprint;
        if (fp.Mss == 0 || flow.SendSyn)
        {
            return;
        }

        int mtu = fp.Mss + (fp.IpVersion == 4 ? 40 : 60);
        BeginObservation("mtu", flow, toServer);
        string? link = Database.FindMtuLink(mtu);
        _observation.Add("link", link);
        if (link != null)
        {
            _hosts[toServer ? flow.Client : flow.Server].LinkType = _hosts.Strings.IdOf(link);
        }

        _observation.Add("raw_mtu", (uint)mtu);
        _observation.Commit();
    }

    internal void BeginObservation(string module, Flow flow, bool toServer) =>
        _observation.Begin(module, _now, flow.Key.Client, flow.ClientPort, flow.Key.Server, flow.ServerPort, toServer);

    internal ObservationBuilder Observation => _observation;

    internal HostTable Hosts => _hosts;

    private Flow CreateFlowFromSyn(in FlowKey key, uint sequence)
    {
        uint now = NowSeconds;
        if (_flows.Count > _options.MaxConnections)
        {
            EvictFlows(silent: false);
        }

        int client = _hosts.Find(key.Client);
        if (client != HostSlot.None)
        {
            _hosts.Touch(client, now);
        }
        else
        {
            client = CreateHost(key.Client, now);
        }

        int server = _hosts.Find(key.Server);
        if (server != HostSlot.None)
        {
            _hosts.Touch(server, now);
        }
        else
        {
            server = CreateHost(key.Server, now);
        }

        var flow = _flows.Add(key);
        flow.Client = client;
        flow.Server = server;
        ref HostSlot clientSlot = ref _hosts[client];
        clientSlot.UseCount++;
        clientSlot.TotalConnections++;
        ref HostSlot serverSlot = ref _hosts[server];
        serverSlot.UseCount++;
        serverSlot.TotalConnections++;
        flow.Created = now;
        flow.NextClientSeq = sequence + 1;
        Counters.FlowsCreated++;
        return flow;
    }

    private int CreateHost(in HostAddress address, uint now)
    {
        if (_hosts.Count > _options.MaxHosts)
        {
            EvictHosts();
        }

        Counters.HostsCreated++;
        return _hosts.Add(address, now);
    }

    internal void DestroyFlow(Flow flow)
    {
        _hosts[flow.Client].UseCount--;
        _hosts[flow.Server].UseCount--;
        _flows.Remove(flow);
    }

    private void EvictFlows(bool silent)
    {
        int kill = 1 + (_flows.Count * KillPercent / 100);
        if (!silent && !_options.OfflineMode)
        {
            Warning?.Invoke($"Too many tracked connections, deleting {kill}. Use -m to adjust.");
        }

        while (kill-- > 0 && _flows.Oldest is { } oldest)
        {
            DestroyFlow(oldest);
            Counters.FlowsEvicted++;
        }
    }

    /// <summary>
    /// p0f announces 10 % + 1 but (a long-standing quirk) removes at most the single least
    /// recently touched host, and only when no flow uses it.
    /// </summary>
    private void EvictHosts()
    {
        if (!_options.OfflineMode)
        {
            int announced = 1 + (_hosts.Count * KillPercent / 100);
            Warning?.Invoke($"Too many host entries, deleting {announced}. Use -m to adjust.");
        }

        EvictFlows(silent: true);
        int oldest = _hosts.Oldest;
        if (oldest != HostSlot.None && _hosts[oldest].UseCount == 0)
        {
            _hosts.Remove(oldest);
            Counters.HostsEvicted++;
        }
        else
        {
            Counters.HostEvictionsBlocked++;
        }
    }

    private void ExpireCache()
    {
        uint now = NowSeconds;
        if (now == _lastExpirySecond)
        {
            return;
        }

        _lastExpirySecond = now;
        while (_flows.Oldest is { } flow && now - flow.Created > _options.ConnectionMaxAgeSeconds)
        {
            DestroyFlow(flow);
            Counters.FlowsExpired++;
        }

        uint idleLimit = _options.HostIdleLimitMinutes * 60;
        int host = _hosts.Oldest;
        while (host != HostSlot.None)
        {
            ref readonly HostSlot slot = ref _hosts[host];
            int newer = slot.Newer;
            if (now - slot.LastSeen <= idleLimit)
            {
                break;
            }

            if (slot.UseCount == 0)
            {
                _hosts.Remove(host);
                Counters.HostsExpired++;
            }

            host = newer;
        }
    }
}
