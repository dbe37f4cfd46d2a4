using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tracking;
using P0fSharp.Signatures;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine;

public sealed partial class TrafficEngine
{
    private const int NearTtlLimit = 9;
    private const int LocalTtlLimit = 5;
    private const int SmallTtlChange = 2;
    private const int MinPortDrop = 64;
    private const ulong MaxNatTimestampMs = 86_400_000;

    private const TcpQuirks BenignQuirks = TcpQuirks.Ecn | TcpQuirks.Df | TcpQuirks.IdPlus | TcpQuirks.IdMinus;

    /// <summary>
    /// p0f's score_nat for a SYN (client) or SYN+ACK (server): compares the new fingerprint
    /// with the host's previous one and feeds the result into the score ring.
    /// </summary>
    private void ScoreNat(bool toServer, Flow flow, ref DecodedPacket packet, in TcpMatchResult match)
    {
        ref readonly var fp = ref packet.Fingerprint;
        int hostIndex = toServer ? flow.Client : flow.Server;
        ref HostSlot host = ref _hosts[hostIndex];
        ref readonly var reference = ref (toServer ? ref host.LastSyn : ref host.LastSynAck);
        var lastOs = _hosts.Labels[host.LastLabel];
        int lastClassId = lastOs?.ClassId ?? -1;
        int lastNameId = lastOs?.NameId ?? -1;
        var matched = match.Signature;
        int score = 0;
        var reasons = NatReasons.None;
        bool major = false;

        if (!reference.Present)
        {
            if (matched != null && lastClassId != -1 && lastNameId != matched.Label.NameId)
            {
                reasons |= NatReasons.OsDiff;
                score += 8;
            }
        }
        else
        {
            var refMatched = _hosts.Signatures[reference.Signature];
            if (matched is null || refMatched is null)
            {
                if (((fp.Quirks ^ reference.Quirks) & ~BenignQuirks) != 0)
                {
                    reasons |= NatReasons.SigDiff;
                    score += 2;
                }
                else if (toServer && !_hosts.LayoutEquals(hostIndex, synAck: false, fp.Layout))
                {
                    reasons |= NatReasons.SigDiff;
                    score += 1;
                }

                if (toServer && (matched is null) != (refMatched is null))
                {
                    reasons |= NatReasons.XKnown;
                    score += 1;
                }
            }
            else if (refMatched.Label.NameId != matched.Label.NameId)
            {
                reasons |= NatReasons.OsDiff;
                score += 8;
                major = true;
            }
            else if (toServer)
            {
                if (refMatched.Label.LabelId != matched.Label.LabelId)
                {
                    reasons |= NatReasons.OsDiff;
                    score += 2;
                }
                else if (!ReferenceEquals(refMatched, matched))
                {
                    reasons |= NatReasons.OsDiff;
                    score += 1;
                }
                else if (reference.Fuzzy != match.Fuzzy)
                {
                    reasons |= NatReasons.Fuzzy;
                    score += 1;
                }
            }

            if (!major && matched != null && lastClassId != -1 && lastNameId != matched.Label.NameId)
            {
                reasons |= NatReasons.OsDiff;
                score += 8;
                major = true;
            }

            int ttlDiff = fp.Ttl - reference.Ttl;
            if (!major && ttlDiff != 0
                && (matched is null || !matched.BadTtl)
                && (refMatched is null || !refMatched.BadTtl)
                && (match.Distance <= NearTtlLimit || ttlDiff > 1))
            {
                reasons |= NatReasons.Ttl;
                score += match.Distance > LocalTtlLimit && Math.Abs(ttlDiff) <= SmallTtlChange ? 1 : 4;
            }

            if (toServer && host.LastPort != 0 && flow.ClientPort < host.LastPort
                && host.LastPort - flow.ClientPort >= MinPortDrop)
            {
                reasons |= NatReasons.Port;
                score += 1;
            }

            if (fp.Mss != reference.Mss)
            {
                reasons |= NatReasons.Mtu;
                score += 1;
            }

            if (score > 0 && fp.Ts1 != 0 && reference.Ts1 != 0)
            {
                ulong ms = _now.Milliseconds - reference.ReceivedMs;
                if (ms < MaxNatTimestampMs)
                {
                    ulong useMs = ms < TimestampGraceMs ? TimestampGraceMs : ms;
                    ulong maxTicks = useMs * (ulong)MaxTimestampHz / 1000;
                    uint ticks = fp.Ts1 - reference.Ts1;
                    if (ticks > maxTicks && (ms >= TimestampGraceMs || ~ticks > maxTicks))
                    {
                        reasons |= NatReasons.Tstamp;
                        score += 4;
                    }
                    else
                    {
                        score /= 2;
                    }
                }
            }
        }

        AddNatScore(toServer, flow, reasons, (byte)Math.Min(score, 255));

        if (matched != null)
        {
            host.LastLabel = _hosts.Labels.IdOf(matched.Label);
            host.LastQuality = (byte)((match.Fuzzy ? 1 : 0) | (matched.Label.IsGeneric ? 2 : 0));
        }

        host.LastPort = flow.ClientPort;
    }

    /// <summary>
    /// p0f's verify_tool_class: an application signature whose <c>sys</c> list does not name
    /// the host's known OS (or its class) counts as a sign of sharing.
    /// </summary>
    private void VerifyToolClass(bool toServer, Flow flow, SignatureLabel application)
    {
        var lastOs = _hosts.Labels[_hosts[toServer ? flow.Client : flow.Server].LastLabel];
        if (lastOs is null || lastOs.ClassId == -1)
        {
            return;
        }

        if (SysIncludes(application, lastOs.ClassId, lastOs.NameId))
        {
            AddNatScore(toServer, flow, NatReasons.None, 0);
        }
        else
        {
            AddNatScore(toServer, flow, NatReasons.AppVsOs, 4);
        }
    }

    internal static bool SysIncludes(SignatureLabel application, int classId, int nameId)
    {
        foreach (var entry in application.Sys)
        {
            if (entry.IsClass ? entry.Id == classId : entry.Id == nameId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>p0f's add_nat_score: shift the ring, count thresholds, maybe report.</summary>
    internal void AddNatScore(bool toServer, Flow flow, NatReasons reasons, byte score)
    {
        ref HostSlot host = ref _hosts[toServer ? flow.Client : flow.Server];
        ref NatScores ring = ref toServer ? ref host.ClientScores : ref host.ServerScores;
        ring.Push(score);
        host.NatReasonAccumulator |= reasons;
        if (score == 0)
        {
            return;
        }

        ring.Count(out uint over5, out uint over2, out uint over1, out uint over0);
        NatReasons shown;
        if (over5 > 2 || over2 > 4 || over1 > 6 || over0 > 8)
        {
            BeginObservation("ip sharing", flow, toServer);
            shown = host.NatReasonAccumulator;
            host.LastNat = NowSeconds;
            ring.Clear();
            host.NatReasonAccumulator = NatReasons.None;
        }
        else
        {
            if (score == 1)
            {
                return;
            }

            BeginObservation("host change", flow, toServer);
            shown = reasons;
            host.LastChange = NowSeconds;
        }

        var value = _observation.BeginValue("reason");
        _observation.EndValue(NatReasonNames.Format(shown, value));
        var hits = new ValueWriter(_observation.BeginValue("raw_hits"));
        hits.Append(over5);
        hits.Append(',');
        hits.Append(over2);
        hits.Append(',');
        hits.Append(over1);
        hits.Append(',');
        hits.Append(over0);
        _observation.EndValue(hits.Written);
        _observation.Commit();
    }
}
