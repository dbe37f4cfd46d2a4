namespace P0fSharp.Engine.Tracking;

/// <summary>
/// One tracked TCP connection, from its SYN until FIN/RST, expiry or eviction. Pooled;
/// linked into a creation-ordered list because p0f evicts and expires oldest-first.
/// </summary>
internal sealed class Flow
{
    public FlowKey Key;
    /// <summary>Slots of the two hosts in the engine's <see cref="HostTable"/>.</summary>
    public int Client = HostSlot.None;
    public int Server = HostSlot.None;
    public Flow? Older;
    public Flow? Newer;

    public uint Created;
    public bool Acknowledged;
    public bool SendSyn;
    public uint NextClientSeq;
    public uint NextServerSeq;
    public ushort SynMss;

    /// <summary>Timestamp clock per side: 0 unknown, -1 unusable, else Hz.</summary>
    public int ClientTicksPerSecond;
    public int ServerTicksPerSecond;

    /// <summary>Slot for the HTTP module's per-flow state (buffers, parser position).</summary>
    public object? HttpState;

    public ushort ClientPort => Key.ClientPort;
    public ushort ServerPort => Key.ServerPort;
}
