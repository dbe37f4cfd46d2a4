using P0fSharp.Engine.Tracking;
using P0fSharp.Signatures;
using P0fSharp.Signatures.Http;

namespace P0fSharp.Engine.Http;

/// <summary>
/// Turns a complete request or response header block into p0f's <c>http request</c> /
/// <c>http response</c> observation, then runs p0f's HTTP NAT scoring and host updates
/// (fingerprint_http / score_nat / verify_tool_class in fp_http.c).
/// </summary>
internal sealed class HttpFingerprinter
{
    private const int MaxDateDifference = 10;

    private readonly TrafficEngine _engine;
    private readonly List<HttpObservedHeader> _headers = new(HttpMessage.MaxHeaders);

    public HttpFingerprinter(TrafficEngine engine) => _engine = engine;

    public void Fingerprint(Flow flow, bool request, HttpFlowState state, SignatureDatabase database)
    {
        var message = state.Message;
        ReadOnlySpan<byte> data = request
            ? state.Request.AsSpan(0, state.RequestLength)
            : state.Response.AsSpan(0, state.ResponseLength);
        var table = database.HttpHeaders;

        // Header ids are resolved against the database used for matching (it may have been
        // reloaded since parsing started; the built-in ids never change).
        Span<int> ids = stackalloc int[HttpMessage.MaxHeaders];
        string? software = null;
        _headers.Clear();
        for (int i = 0; i < message.Count; i++)
        {
            ref readonly var slot = ref message.Headers[i];
            var nameBytes = data.Slice(slot.NameStart, slot.NameLength);
            int id = table.Find(nameBytes);
            ids[i] = id;
            string name = id >= 0 ? table.GetName(id) : Latin1(nameBytes);
            string? value = slot.ValueLength > 0 ? Latin1(data.Slice(slot.ValueStart, slot.ValueLength)) : null;
            if (i == message.Software)
            {
                software = value;
            }

            _headers.Add(new HttpObservedHeader(id, name, value));
        }

        var match = database.MatchHttp(new HttpObservation(message.Version, _headers, software), !request);
        var sig = match.Signature;

        _engine.BeginObservation(request ? "http request" : "http response", flow, request);
        var builder = _engine.Observation;
        if (sig != null)
        {
            builder.Add(sig.Label.IsApplication ? "app" : "os", sig.Label.Display);
        }
        else
        {
            builder.AddMissing("app");
        }

        string? language = null;
        if (message.Language >= 0)
        {
            ref readonly var slot = ref message.Headers[message.Language];
            var value = data.Slice(slot.ValueStart, slot.ValueLength);
            if (HttpLanguages.HasCode(value))
            {
                language = HttpLanguages.Lookup(value[0], value[1]);
                builder.Add("lang", language);
            }
            else
            {
                builder.Add("lang", "none");
            }
        }
        else
        {
            builder.Add("lang", "none");
        }

        var parameters = builder.BeginValue("params");
        int written = 0;
        AppendWord(parameters, ref written, match.Dishonest, "dishonest");
        AppendWord(parameters, ref written, software is null, "anonymous");
        AppendWord(parameters, ref written, sig != null && sig.Label.IsGeneric, "generic");
        if (written == 0)
        {
            "none".CopyTo(parameters);
            written = 4;
        }

        builder.EndValue(written);

        var raw = builder.BeginValue("raw_sig");
        builder.EndValue(HttpRawSignature.Write(raw, data, message, ids, table, table.For(!request)));
        builder.Commit();

        uint now = (uint)_engine.Now.Seconds;
        int host = request ? flow.Client : flow.Server;
        Score(flow, request, host, in match, message, software, database, now);
        UpdateHost(flow, request, host, in match, message, language, now);
    }

    /// <summary>p0f's HTTP score_nat (the tool-vs-OS check reports on its own first).</summary>
    private void Score(Flow flow, bool request, int hostIndex, in HttpMatchResult match, HttpMessage message, string? software, SignatureDatabase database, uint now)
    {
        var hosts = _engine.Hosts;
        ref HostSlot host = ref hosts[hostIndex];
        var hostState = hosts.HttpState(hostIndex);
        int lastNameId = hosts.Labels[host.LastLabel]?.NameId ?? -1;
        bool hasReference;
        HttpSignature? reference = null;
        if (request)
        {
            hasReference = hostState is { HasRequestOs: true };
            reference = hostState?.RequestOs;
        }
        else
        {
            // A response seen on another port of the server says little about this one.
            hasReference = hostState is { HasResponse: true } && hostState.ResponsePort == flow.ServerPort;
            if (hasReference)
            {
                reference = hostState!.ResponseMatch;
            }
        }

        var sig = match.Signature;
        int score = 0;
        var reasons = NatReasons.None;

        if (sig is null)
        {
            if (!request && reference != null)
            {
                score += 4;
                reasons |= NatReasons.XKnown;
            }
        }
        else if (sig.Label.IsApplication)
        {
            VerifyToolClass(flow, request, hosts.Labels[host.LastLabel], sig.Label);
            if (!request && reference != null)
            {
                if (reference.Label.NameId != sig.Label.NameId)
                {
                    score += 8;
                    reasons |= NatReasons.SrvSigLb;
                }
                else if (reference.Label.LabelId != sig.Label.LabelId)
                {
                    score += 2;
                    reasons |= NatReasons.SrvSigLb;
                }
            }
        }
        else
        {
            bool major = false;
            if (hasReference)
            {
                if (reference != null)
                {
                    if (reference.Label.NameId != sig.Label.NameId)
                    {
                        score += 8;
                        reasons |= NatReasons.OsDiff;
                        major = true;
                    }
                    else if (reference.Label.NameId != sig.Label.LabelId)
                    {
                        // p0f compares the reference's name id with the new label id here.
                        score += 2;
                        reasons |= NatReasons.OsDiff;
                    }
                }
                else
                {
                    score += 4;
                    reasons |= NatReasons.XKnown;
                }
            }

            if (!major && lastNameId != sig.Label.NameId)
            {
                score += 4;
                reasons |= NatReasons.OsDiff;
            }
        }

        if (request && sig != null && sig.Label.IsApplication && software != null && !match.Dishonest)
        {
            var claimed = FindUaOs(database.UaOs, software);
            if (claimed != null)
            {
                if (claimed.NameId != lastNameId)
                {
                    score += 4;
                    reasons |= NatReasons.UaVsOs;
                    if (host.BadSoftware == 0)
                    {
                        host.BadSoftware = 1;
                    }
                }
                else
                {
                    host.BadSoftware = 0;
                }
            }
        }

        if (message.Via)
        {
            score += 8;
            reasons |= NatReasons.Via;
        }

        if (!request && hasReference && hostState!.ResponseDate != 0 && message.Date != 0)
        {
            long headerDiff = (long)message.Date - hostState.ResponseDate;
            long receivedDiff = (long)now - hostState.ResponseReceived;
            if (headerDiff < -MaxDateDifference || headerDiff > receivedDiff + MaxDateDifference)
            {
                score += 4;
                reasons |= NatReasons.Date;
            }
        }

        _engine.AddNatScore(request, flow, reasons, (byte)score);
    }

    /// <summary>
    /// p0f's verify_tool_class: an application whose <c>sys</c> list does not include the
    /// host's known OS (by class or name) suggests another system behind the address.
    /// </summary>
    private void VerifyToolClass(Flow flow, bool request, SignatureLabel? lastOs, SignatureLabel application)
    {
        if (lastOs is null || lastOs.ClassId == -1)
        {
            return;
        }

        if (TrafficEngine.SysIncludes(application, lastOs.ClassId, lastOs.NameId))
        {
            _engine.AddNatScore(request, flow, NatReasons.None, 0);
        }
        else
        {
            _engine.AddNatScore(request, flow, NatReasons.AppVsOs, 4);
        }
    }

    /// <summary>The first <c>ua_os</c> entry (file order) whose text occurs in the User-Agent.</summary>
    internal static UaOsEntry? FindUaOs(IReadOnlyList<UaOsEntry> entries, string userAgent)
    {
        // strstr on a C string: the User-Agent ends at its first NUL.
        ReadOnlySpan<char> text = userAgent;
        int nul = text.IndexOf('\0');
        if (nul >= 0)
        {
            text = text[..nul];
        }

        for (int i = 0; i < entries.Count; i++)
        {
            if (text.Contains(entries[i].SearchString, StringComparison.Ordinal))
            {
                return entries[i];
            }
        }

        return null;
    }

    private void UpdateHost(Flow flow, bool request, int hostIndex, in HttpMatchResult match, HttpMessage message, string? language, uint now)
    {
        var hosts = _engine.Hosts;
        var sig = match.Signature;
        if (request)
        {
            if (language != null)
            {
                hosts[hostIndex].Language = hosts.Strings.IdOf(language);
            }
        }
        else
        {
            var state = hosts.GetOrCreateHttpState(hostIndex);
            state.HasResponse = true;
            state.ResponseMatch = sig;
            state.ResponsePort = flow.ServerPort;
            state.ResponseDate = message.Date;
            state.ResponseReceived = now;
        }

        if (sig is null)
        {
            return;
        }

        var label = sig.Label;
        if (!label.IsApplication)
        {
            if (request)
            {
                var state = hosts.GetOrCreateHttpState(hostIndex);
                state.HasRequestOs = true;
                state.RequestOs = sig;
            }

            ref HostSlot host = ref hosts[hostIndex];
            host.LastLabel = hosts.Labels.IdOf(label);
            host.LastQuality = (byte)(label.IsGeneric ? 2 : 0);
        }
        else
        {
            ref HostSlot host = ref hosts[hostIndex];
            host.HttpLabel = hosts.Labels.IdOf(label);
            if (match.Dishonest)
            {
                host.BadSoftware = 2;
            }
        }
    }

    private static void AppendWord(Span<char> destination, ref int written, bool condition, string word)
    {
        if (!condition)
        {
            return;
        }

        if (written > 0)
        {
            destination[written++] = ' ';
        }

        word.CopyTo(destination[written..]);
        written += word.Length;
    }

    private static string Latin1(ReadOnlySpan<byte> bytes) => System.Text.Encoding.Latin1.GetString(bytes);
}
