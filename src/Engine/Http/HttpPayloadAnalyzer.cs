using P0fSharp.Engine.Packets;
using P0fSharp.Engine.Tracking;

namespace P0fSharp.Engine.Http;

/// <summary>
/// p0f's HTTP module as the engine's payload analyzer. Per flow it keeps two buffers of at
/// most 8192 bytes, rented lazily from a small pool and returned as soon as p0f would stop
/// reading them (or the module ends the flow); flows that end elsewhere (FIN, RST, expiry)
/// simply leave theirs to the collector.
/// </summary>
internal sealed class HttpPayloadAnalyzer : IPayloadAnalyzer
{
    private const int MaxPooledBuffers = 64;
    private const int MaxPooledStates = 64;

    private readonly TrafficEngine _engine;
    private readonly HttpFingerprinter _fingerprinter;
    private readonly Stack<byte[]> _buffers = new();
    private readonly Stack<HttpFlowState> _states = new();

    public HttpPayloadAnalyzer(TrafficEngine engine)
    {
        _engine = engine;
        _fingerprinter = new HttpFingerprinter(engine);
    }

    public void Append(Flow flow, bool toServer, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return;
        }

        var state = flow.HttpState as HttpFlowState;
        if (state is null)
        {
            if (!toServer)
            {
                // The server spoke first: Process ends the flow without reading this.
                return;
            }

            state = _states.Count > 0 ? _states.Pop() : new HttpFlowState();
            flow.HttpState = state;
        }

        if (toServer)
        {
            // After the request is complete (or HTTP was ruled out) the bytes only count.
            bool keep = state.InHttp >= 0 && !state.RequestDone;
            Store(ref state.Request, ref state.RequestLength, payload, keep);
        }
        else
        {
            // Before a complete request the response is never read (the flow is dropped).
            bool keep = state.InHttp > 0 && state.RequestDone;
            Store(ref state.Response, ref state.ResponseLength, payload, keep);
        }
    }

    public bool Process(Flow flow, bool toServer, PacketTime time)
    {
        if (flow.HttpState is not HttpFlowState state)
        {
            // Only reachable for server data on a flow whose client never sent any.
            return false;
        }

        var database = _engine.Database;
        switch (HttpStreamParser.Run(state, toServer, database.HttpHeaders))
        {
            case HttpParseOutcome.Keep:
                if (state.InHttp < 0)
                {
                    // Gave up on the headers (the flow itself lives on until more data arrives).
                    if (state.Recognised)
                    {
                        _engine.Counters.HttpAbandoned++;
                        state.Recognised = false;
                    }

                    ReleaseBuffers(state);
                }

                return true;

            case HttpParseOutcome.RequestComplete:
                _engine.Counters.HttpRequestsFingerprinted++;
                _fingerprinter.Fingerprint(flow, true, state, database);
                state.RequestDone = true;
                state.Position = 0;
                state.Message.Clear();
                Return(ref state.Request);
                return true;

            case HttpParseOutcome.ResponseComplete:
                _engine.Counters.HttpResponsesFingerprinted++;
                _fingerprinter.Fingerprint(flow, false, state, database);
                state.InHttp = -1;
                Release(flow, state);
                return false;

            default:
                if (state.Recognised)
                {
                    _engine.Counters.HttpAbandoned++;
                }

                Release(flow, state);
                return false;
        }
    }

    public bool BuffersFull(Flow flow)
    {
        if (flow.HttpState is not HttpFlowState state
            || state.RequestLength < HttpFlowState.MaxFlowData
            || state.ResponseLength < HttpFlowState.MaxFlowData)
        {
            return false;
        }

        Release(flow, state);
        return true;
    }

    /// <summary>Buffers currently pooled (for tests).</summary>
    internal int PooledBuffers => _buffers.Count;

    private void Store(ref byte[]? buffer, ref int length, ReadOnlySpan<byte> payload, bool keep)
    {
        int room = HttpFlowState.MaxFlowData - length;
        if (room <= 0)
        {
            return;
        }

        int n = Math.Min(room, payload.Length);
        if (keep)
        {
            buffer ??= _buffers.Count > 0 ? _buffers.Pop() : new byte[HttpFlowState.MaxFlowData];
            payload[..n].CopyTo(buffer.AsSpan(length));
        }

        length += n;
    }

    /// <summary>The flow is about to end: give everything back.</summary>
    private void Release(Flow flow, HttpFlowState state)
    {
        flow.HttpState = null;
        ReleaseBuffers(state);
        state.Reset();
        if (_states.Count < MaxPooledStates)
        {
            _states.Push(state);
        }
    }

    private void ReleaseBuffers(HttpFlowState state)
    {
        Return(ref state.Request);
        Return(ref state.Response);
    }

    private void Return(ref byte[]? buffer)
    {
        if (buffer != null && _buffers.Count < MaxPooledBuffers)
        {
            _buffers.Push(buffer);
        }

        buffer = null;
    }
}
