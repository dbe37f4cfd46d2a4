using System.Globalization;

namespace P0fSharp.Signatures.Text;

/// <summary>
/// Appends text to a caller-supplied span without allocating; remembers (instead of throwing)
/// when the span was too small so formatters can return false like other TryFormat methods.
/// </summary>
internal ref struct SpanWriter
{
    private readonly Span<char> _destination;
    private int _position;
    private bool _overflow;

    public SpanWriter(Span<char> destination)
    {
        _destination = destination;
        _position = 0;
        _overflow = false;
    }

    public readonly int Written => _overflow ? 0 : _position;

    public readonly bool Ok => !_overflow;

    public void Append(char c)
    {
        if (_overflow || _position >= _destination.Length)
        {
            _overflow = true;
            return;
        }

        _destination[_position++] = c;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (_overflow || !text.TryCopyTo(_destination[_position..]))
        {
            _overflow = true;
            return;
        }

        _position += text.Length;
    }

    public void Append(int value)
    {
        if (_overflow || !value.TryFormat(_destination[_position..], out int n, default, CultureInfo.InvariantCulture))
        {
            _overflow = true;
            return;
        }

        _position += n;
    }

    /// <summary>printf("%02x") of a byte.</summary>
    public void AppendHex2(byte value)
    {
        if (_overflow || !value.TryFormat(_destination[_position..], out int n, "x2", CultureInfo.InvariantCulture))
        {
            _overflow = true;
            return;
        }

        _position += n;
    }
}
