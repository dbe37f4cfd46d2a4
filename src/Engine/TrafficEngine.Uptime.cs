using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tracking;

namespace P0fSharp.Engine;

public sealed partial class TrafficEngine
{
    private const ulong MinTimestampWaitMs = 25;
    private const ulong MaxTimestampWaitMs = 600_000;
    private const ulong TimestampGraceMs = 100;
    private const double MinTimestampHz = 0.7;
    private const double MaxTimestampHz = 1500;

    /// <summary>
    /// p0f's check_ts_tcp: estimate the sender's timestamp clock against its last SYN (or
    /// SYN+ACK) and derive uptime. Once per flow side; a bad clock disables the side.
    /// </summary>
    private void CheckUptime(bool toServer, Flow flow, ref DecodedPacket packet)
    {
        uint ts1 = packet.Fingerprint.Ts1;
        if (ts1 == 0 || flow.SendSyn)
        {
            return;
        }

        ref readonly TcpReference reference = ref (toServer ? ref _hosts[flow.Client].LastSyn : ref _hosts[flow.Server].LastSynAck);
        int ticksPerSecond = toServer ? flow.ClientTicksPerSecond : flow.ServerTicksPerSecond;
        if (ticksPerSecond != 0 || !reference.Present || reference.Ts1 == 0)
        {
            return;
        }

        ulong ms = _now.Milliseconds - reference.ReceivedMs;
        uint ticks = ts1 - reference.Ts1;
        if (ms < MinTimestampWaitMs || ms > MaxTimestampWaitMs)
        {
            return;
        }

        if (ticks < 5 || (ms < TimestampGraceMs && (~ticks) / 1000 < (uint)(MaxTimestampHz / TimestampGraceMs)))
        {
            return;
        }

        double frequency = ticks > ~ticks
            ? ~ticks * -1000.0 / ms
            : ticks * 1000.0 / ms;

        bool isSyn = (packet.Flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin | TcpFlags.Rst)) == TcpFlags.Syn;
        if (frequency < MinTimestampHz || frequency > MaxTimestampHz)
        {
            if (!isSyn)
            {
                if (toServer)
                {
                    flow.ClientTicksPerSecond = -1;
                }
                else
                {
                    flow.ServerTicksPerSecond = -1;
                }
            }

            return;
        }

        uint rounded = RoundFrequency((uint)frequency);
        if (toServer)
        {
            flow.ClientTicksPerSecond = (int)rounded;
        }
        else
        {
            flow.ServerTicksPerSecond = (int)rounded;
        }

        uint upMinutes = ts1 / rounded / 60;
        uint moduloDays = 0xFFFFFFFFu / (rounded * 60 * 60 * 24);

        BeginObservation("uptime", flow, toServer);
        ref HostSlot host = ref _hosts[toServer ? flow.Client : flow.Server];
        host.LastUptimeMinutes = (int)upMinutes;
        host.UptimeModuloDays = moduloDays;

        var uptime = new ValueWriter(_observation.BeginValue("uptime"));
        uptime.Append(upMinutes / 60 / 24);
        uptime.Append(" days ");
        uptime.Append(upMinutes / 60 % 24);
        uptime.Append(" hrs ");
        uptime.Append(upMinutes % 60);
        uptime.Append(" min (modulo ");
        uptime.Append(moduloDays);
        uptime.Append(" days)");
        _observation.EndValue(uptime.Written);
        var rawFrequency = new ValueWriter(_observation.BeginValue("raw_freq"));
        rawFrequency.AppendFixed2(frequency);
        rawFrequency.Append(" Hz");
        _observation.EndValue(rawFrequency.Written);
        _observation.Commit();
    }

    private static uint RoundFrequency(uint f) => f switch
    {
        0 => 1,
        <= 10 => f,
        <= 50 => (f + 3) / 5 * 5,
        <= 100 => (f + 7) / 10 * 10,
        <= 500 => (f + 33) / 50 * 50,
        _ => (f + 67) / 100 * 100,
    };
}
