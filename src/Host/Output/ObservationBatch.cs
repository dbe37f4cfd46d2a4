using P0fSharp.Engine.Observations;
using P0fSharp.Engine.Packets;

namespace P0fSharp.Host.Output;

/// <summary>
/// A run of observations copied out of the engine's reused builder buffer, to be rendered on
/// another thread. Fixed capacity, reused: filling and replaying a batch allocates nothing.
/// </summary>
internal sealed class ObservationBatch
{
    public const int MaxObservations = 1024;

    /// <summary>Room for the largest single observation the engine's builder can hold, and more.</summary>
    public const int TextCapacity = 1 << 18;

    // p0f's observations carry 2-8 fields; the builder's limit of 16 always fits an empty batch.
    private const int AverageFieldsRoom = 8;

    private readonly Header[] _headers = new Header[MaxObservations];
    private readonly string[] _keys = new string[MaxObservations * AverageFieldsRoom];
    private readonly int[] _valueLengths = new int[MaxObservations * AverageFieldsRoom];
    private readonly char[] _text = new char[TextCapacity];
    private int _fieldsUsed;
    private int _textUsed;

    public int Count { get; private set; }

    /// <summary>Whether <paramref name="observation"/> still fits behind what is already here.</summary>
    public bool HasRoomFor(in Observation observation)
    {
        if (Count == MaxObservations || _fieldsUsed + observation.FieldCount > _keys.Length)
        {
            return false;
        }

        int chars = 0;
        for (int i = 0; i < observation.FieldCount; i++)
        {
            chars += observation.GetValue(i).Length;
        }

        return _textUsed + chars <= _text.Length;
    }

    /// <summary>Copies <paramref name="observation"/> in; the caller checked <see cref="HasRoomFor"/>.</summary>
    public void Add(in Observation observation)
    {
        _headers[Count++] = new Header(
            observation.Module,
            observation.Time,
            observation.Client,
            observation.ClientPort,
            observation.Server,
            observation.ServerPort,
            observation.SubjectIsClient,
            observation.FieldCount);
        for (int i = 0; i < observation.FieldCount; i++)
        {
            ReadOnlySpan<char> value = observation.GetValue(i);
            _keys[_fieldsUsed] = observation.GetKey(i);
            _valueLengths[_fieldsUsed] = value.Length;
            value.CopyTo(_text.AsSpan(_textUsed));
            _textUsed += value.Length;
            _fieldsUsed++;
        }
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
