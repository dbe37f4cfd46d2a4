namespace P0fSharp.Signatures.Tcp;

/// <summary>How a TCP signature constrains the window size.</summary>
public enum TcpWindowType
{
    /// <summary>A literal window value.</summary>
    Normal = 0,

    /// <summary><c>*</c>: any window.</summary>
    Any = 1,

    /// <summary><c>%N</c>: window divisible by N.</summary>
    Modulo = 2,

    /// <summary><c>mss*N</c>: an MSS-based multiple (see <see cref="WindowMultiplier"/>).</summary>
    Mss = 3,

    /// <summary><c>mtu*N</c>: an MTU-based multiple.</summary>
    Mtu = 4,
}
