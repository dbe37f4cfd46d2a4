using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Host.Output;

/// <summary>
/// A run of observations copied out of the engine's reused builder buffer, to be rendered on
/// another thread. Fixed capacity, reused: filling and replaying a batch allocates nothing.
/// </summary>
internal sealed class ObservationBatch
{
    private const int MaxObservations = 1024;

    // Room for the largest single observation the engine's builder can hold (65,536 chars), and more.
    private const int TextCapacity = 1 << 18;

    // p0f's observations carry 2-8 fields; the builder's limit of 16 always fits an empty batch.
    private const int AverageFieldsRoom = 8;

    private readonly Header[] _headers = new Header[MaxObservations];
    private readonly string[] _keys = new string[MaxObservations * AverageFieldsRoom];
    private readonly int[] _valueLengths = new int[MaxObservations * AverageFieldsRoom];
    private readonly char[] _text = new char[TextCapacity];
    private int _fieldsUsed;
    private int _textUsed;

    public int Count { get; private set; }

    /// <summary>
    /// Copies <paramref name="observation"/> in, in one pass over its fields; false, with the batch
    /// as it was, when it does not fit behind what is already here (an empty batch fits any).
    /// </summary>
    public bool TryAdd(in Observation observation)
    {
        int fields = observation.FieldCount;
        if (Count == MaxObservations || _fieldsUsed + fields > _keys.Length)
        {
            return false;
        }

        int textStart = _textUsed;
        for (int i = 0; i < fields; i++)
        {
            ReadOnlySpan<char> value = observation.GetValue(i);
            if (!value.TryCopyTo(_text.AsSpan(_textUsed)))
            {
                _textUsed = textStart;
                return false;
            }

            _keys[_fieldsUsed + i] = observation.GetKey(i);
            _valueLengths[_fieldsUsed + i] = value.Length;
            _textUsed += value.Length;
        }

        _fieldsUsed += fields;
        _headers[Count++] = new Header(
            observation.Module,
            observation.Time,
            observation.Client,
            observation.ClientPort,
            observation.Server,
            observation.ServerPort,
            observation.SubjectIsClient,
            fields);
        return true;
    }

    /// <summary>Rebuilds every observation, in order, in <paramref name="builder"/> and commits it to the builder's sink.</summary>
    public void ReplayInto(ObservationBuilder builder)
    {
        int field = 0;
        int text = 0;
        for (int n = 0; n < Count; n++)
        {
            ref readonly Header h = ref _headers[n];
            builder.Begin(h.Module, h.Time, h.Client, h.ClientPort, h.Server, h.ServerPort, h.ToServer);
            for (int i = 0; i < h.FieldCount; i++, field++)
            {
                int length = _valueLengths[field];
                builder.Add(_keys[field], _text.AsSpan(text, length));
                text += length;
            }

            builder.Commit();
        }
    }

    public void Clear()
    {
        Count = 0;
        _fieldsUsed = 0;
        _textUsed = 0;
    }

    private readonly record struct Header(
        string Module,
        PacketTime Time,
        HostAddress Client,
        ushort ClientPort,
        HostAddress Server,
        ushort ServerPort,
        bool ToServer,
        int FieldCount);
}
