using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Hosts;

/// <summary>Read side of the host table, safe to call from API threads.</summary>
public interface IHostLookup
{
    bool TryGetHost(HostAddress address, out HostSnapshot snapshot);
}
