using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Observations;

/// <summary>
/// A view of one finished observation: module keyword, flow endpoints, subject and the
/// ordered key/value fields. Values live in the builder's buffer and are only valid during
/// <see cref="IObservationSink.Write"/>.
/// </summary>
public readonly ref struct Observation
{
    private readonly ObservationBuilder _builder;

    internal Observation(ObservationBuilder builder) => _builder = builder;

    public string Module => _builder.Module;

    public PacketTime Time => _builder.Time;

    public HostAddress Client => _builder.Client;

    public ushort ClientPort => _builder.ClientPort;

    public HostAddress Server => _builder.Server;

    public ushort ServerPort => _builder.ServerPort;

    /// <summary>True when the subject is the client (<c>subj=cli</c>).</summary>
    public bool SubjectIsClient => _builder.ToServer;

    public int FieldCount => _builder.FieldCount;

    public string GetKey(int index) => _builder.GetKey(index);

    /// <summary>The value, or <c>???</c> when p0f would print a missing value.</summary>
    public ReadOnlySpan<char> GetValue(int index) => _builder.GetValue(index);

    /// <summary>The value of the first field with this key, or empty.</summary>
    public ReadOnlySpan<char> Find(string key)
    {
        for (int i = 0; i < FieldCount; i++)
        {
            if (GetKey(i) == key)
            {
                return GetValue(i);
            }
        }

        return default;
    }
}
