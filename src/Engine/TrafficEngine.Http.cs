using P0fSharp.Engine.Http;

namespace P0fSharp.Engine;

public sealed partial class TrafficEngine
{
    /// <summary>
    /// Plugs in p0f's HTTP module (request/response fingerprinting, HTTP NAT scoring). Meant to
    /// be called once from the constructor; until then payload ends flows like non-HTTP traffic.
    /// </summary>
    internal void EnableHttpFingerprinting() => SetPayloadAnalyzer(new HttpPayloadAnalyzer(this));
}
