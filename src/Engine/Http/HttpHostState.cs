using P0fSharp.Signatures.Http;

namespace P0fSharp.Engine.Http;

/// <summary>
/// What p0f keeps per host for HTTP NAT scoring: the last request that matched an OS-class
/// HTTP signature (client role) and the last response (server role, with its port).
/// </summary>
internal sealed class HttpHostState
{
    public bool HasRequestOs;
    public HttpSignature? RequestOs;

    public bool HasResponse;
    public HttpSignature? ResponseMatch;
    public ushort ResponsePort;

    /// <summary>The response's parsed Date (0 if none).</summary>
    public uint ResponseDate;

    /// <summary>Packet time (seconds) when that response was fingerprinted.</summary>
    public uint ResponseReceived;
}
