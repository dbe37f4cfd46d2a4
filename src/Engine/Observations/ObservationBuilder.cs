using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Observations;

/// <summary>
/// Collects one observation's fields into a reusable buffer (no per-packet allocation) and
/// hands the result to the sink. Mirrors p0f's start_observation / add_observation_field.
/// </summary>
public sealed class ObservationBuilder
{
    private const int MaxFields = 16;
    private const string Missing = "???";

    private readonly IObservationSink _sink;
    private readonly char[] _buffer = new char[65536];
    private readonly string[] _keys = new string[MaxFields];
    private readonly int[] _starts = new int[MaxFields];
    private readonly int[] _lengths = new int[MaxFields];
    private int _used;
    private int _pendingStart = -1;

    public ObservationBuilder(IObservationSink sink) => _sink = sink;

    internal string Module { get; private set; } = string.Empty;

    internal PacketTime Time { get; private set; }

    internal HostAddress Client { get; private set; }

    internal ushort ClientPort { get; private set; }

    internal HostAddress Server { get; private set; }

    internal ushort ServerPort { get; private set; }

    internal bool ToServer { get; private set; }

    internal int FieldCount { get; private set; }

    public void Begin(string module, PacketTime time, HostAddress client, ushort clientPort, HostAddress server, ushort serverPort, bool toServer)
    {
        Module = module;
        Time = time;
        Client = client;
        ClientPort = clientPort;
        Server = server;
        ServerPort = serverPort;
        ToServer = toServer;
        FieldCount = 0;
        _used = 0;
        _pendingStart = -1;
    }

    public void Add(string key, ReadOnlySpan<char> value)
    {
        var destination = BeginValue(key);
        int n = Math.Min(value.Length, destination.Length);
        value[..n].CopyTo(destination);
        EndValue(n);
    }

    public void AddMissing(string key) => Add(key, Missing);

    public void Add(string key, string? value)
    {
        if (value is null)
        {
            AddMissing(key);
        }
        else
        {
            Add(key, value.AsSpan());
        }
    }

    public void Add(string key, uint value)
    {
        var destination = BeginValue(key);
        DecimalText.TryWrite(value, destination, out int n);
        EndValue(n);
    }

    /// <summary>
    /// Starts a field whose value the caller formats directly into the returned span; finish
    /// with <see cref="EndValue"/>. Avoids building intermediate strings.
    /// </summary>
    public Span<char> BeginValue(string key)
    {
        if (FieldCount >= MaxFields)
        {
            throw new InvalidOperationException("Too many observation fields.");
        }

        _keys[FieldCount] = key;
        _pendingStart = _used;
        return _buffer.AsSpan(_used);
    }

    public void EndValue(int written)
    {
        _starts[FieldCount] = _pendingStart;
        _lengths[FieldCount] = written;
        _used = _pendingStart + written;
        _pendingStart = -1;
        FieldCount++;
    }

    /// <summary>Emits the finished observation to the sink.</summary>
    public void Commit() => _sink.Write(new Observation(this));

    internal string GetKey(int index) => _keys[index];

    internal ReadOnlySpan<char> GetValue(int index) => _buffer.AsSpan(_starts[index], _lengths[index]);
}
