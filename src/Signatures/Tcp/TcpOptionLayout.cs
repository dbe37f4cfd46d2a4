using System.Runtime.CompilerServices;

namespace P0fSharp.Signatures.Tcp;

/// <summary>
/// The ordered list of TCP option kinds (at most 24, p0f's MAX_TCP_OPT), stored inline so
/// that decoding a packet never allocates. Kind 0 is EOL, 1 NOP, 2 MSS, 3 WS, 4 SACK-OK,
/// 5 SACK, 8 TS; anything else prints as <c>?N</c>.
/// </summary>
public struct TcpOptionLayout : IEquatable<TcpOptionLayout>
{
    public const int MaxOptions = 24;

    private KindBuffer _kinds;
    private byte _count;

    public readonly int Count => _count;

    public readonly byte this[int index]
    {
        get
        {
            if ((uint)index >= _count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return _kinds[index];
        }
    }

    /// <summary>Appends a kind; returns false (and records nothing) when 24 are already held.</summary>
    public bool TryAdd(byte kind)
    {
        if (_count >= MaxOptions)
        {
            return false;
        }

        _kinds[_count++] = kind;
        return true;
    }

    public void Clear() => _count = 0;

    /// <summary>Copies the kinds out; the span must hold at least <see cref="Count"/> bytes.</summary>
    public readonly int CopyTo(Span<byte> destination)
    {
        for (int i = 0; i < _count; i++)
        {
            destination[i] = _kinds[i];
        }

        return _count;
    }

    public readonly bool Equals(TcpOptionLayout other)
    {
        if (_count != other._count)
        {
            return false;
        }

        for (int i = 0; i < _count; i++)
        {
            if (_kinds[i] != other._kinds[i])
            {
                return false;
            }
        }

        return true;
    }

    public override readonly bool Equals(object? obj) => obj is TcpOptionLayout other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_count);
        for (int i = 0; i < _count; i++)
        {
            hash.Add(_kinds[i]);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(TcpOptionLayout left, TcpOptionLayout right) => left.Equals(right);

    public static bool operator !=(TcpOptionLayout left, TcpOptionLayout right) => !left.Equals(right);

    [InlineArray(MaxOptions)]
    private struct KindBuffer
    {
        private byte _element0;
    }
}
