using P0fSharp.Signatures;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine.Observations;

/// <summary>Fills the four fields of a syn / syn+ack / sendsyn observation and commits it.</summary>
internal sealed class TcpObservationWriter
{
    private readonly ObservationBuilder _builder;

    public TcpObservationWriter(ObservationBuilder builder) => _builder = builder;

    public void Write(in TcpFingerprint fp, in TcpMatchResult match, bool synAck, ushort synMss, bool sendSyn)
    {
        var matched = match.Signature;
        if (matched != null)
        {
            string key = matched.Label.IsApplication || sendSyn ? "app" : "os";
            _builder.Add(key, matched.Label.Display);
        }
        else
        {
            _builder.AddMissing("os");
        }

        var dist = _builder.BeginValue("dist");
        int n = 0;
        if (matched != null && matched.BadTtl)
        {
            "<= ".CopyTo(dist);
            n = 3;
        }

        Packets.DecimalText.TryWrite((uint)match.Distance, dist[n..], out int digits);
        _builder.EndValue(n + digits);

        var parameters = _builder.BeginValue("params");
        TcpParams.TryFormat(in match, in fp, parameters, out int written);
        _builder.EndValue(written);

        var raw = _builder.BeginValue("raw_sig");
        TcpRawSignature.TryFormat(in fp, synAck, synMss, raw, out written);
        _builder.EndValue(written);
        _builder.Commit();
    }
}
