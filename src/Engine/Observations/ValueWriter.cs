using System.Globalization;

namespace P0fSharp.Engine.Observations;

/// <summary>
/// Appends text and numbers to an observation value span. Interpolated TryWrite boxed the
/// numbers in unoptimised code, which showed up on the per-packet path; this never does.
/// </summary>
internal ref struct ValueWriter
{
    private readonly Span<char> _destination;

    public ValueWriter(Span<char> destination)
    {
        _destination = destination;
        Written = 0;
    }

    public int Written { get; private set; }

    public void Append(string text)
    {
        text.AsSpan().CopyTo(_destination[Written..]);
        Written += text.Length;
    }

    public void Append(char c) => _destination[Written++] = c;

    public void Append(uint value)
    {
        Packets.DecimalText.TryWrite(value, _destination[Written..], out int n);
        Written += n;
    }

    /// <summary>printf's <c>%.02f</c>.</summary>
    public void AppendFixed2(double value)
    {
        value.TryFormat(_destination[Written..], out int n, "F2", CultureInfo.InvariantCulture);
        Written += n;
    }
}
