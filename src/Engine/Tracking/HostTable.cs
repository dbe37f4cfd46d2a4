using P0fSharp.Engine.Packets;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// Host records by address plus p0f's age list (oldest touch first). Records are recycled
/// through a free list so steady-state tracking does not allocate.
/// </summary>
internal sealed class HostTable
{
    private readonly Dictionary<HostAddress, HostRecord> _byAddress;
    private readonly Stack<HostRecord> _free = new();
    private HostRecord? _oldest;
    private HostRecord? _newest;

    public HostTable(int expectedHosts)
    {
        _byAddress = new Dictionary<HostAddress, HostRecord>(Math.Min(expectedHosts + 16, 1 << 20));
    }

    public int Count => _byAddress.Count;

    public HostRecord? Oldest => _oldest;

    public HostRecord? Find(HostAddress address) =>
        _byAddress.TryGetValue(address, out var host) ? host : null;

    public HostRecord Add(HostAddress address, uint now)
    {
        var host = _free.Count > 0 ? _free.Pop() : new HostRecord();
        host.Reset(address, now);
        _byAddress.Add(address, host);
        Append(host);
        return host;
    }

    /// <summary>Marks the host as just seen: p0f's touch_host.</summary>
    public void Touch(HostRecord host, uint now)
    {
        host.LastSeen = now;
        if (_newest == host)
        {
            return;
        }

        Unlink(host);
        Append(host);
    }

    public void Remove(HostRecord host)
    {
        _byAddress.Remove(host.Address);
        Unlink(host);
        host.HttpState = null;
        _free.Push(host);
    }

    private void Append(HostRecord host)
    {
        host.Older = _newest;
        host.Newer = null;
        if (_newest != null)
        {
            _newest.Newer = host;
        }
        else
        {
            _oldest = host;
        }

        _newest = host;
    }

    private void Unlink(HostRecord host)
    {
        if (host.Older != null)
        {
            host.Older.Newer = host.Newer;
        }
        else
        {
            _oldest = host.Newer;
        }

        if (host.Newer != null)
        {
            host.Newer.Older = host.Older;
        }
        else
        {
            _newest = host.Older;
        }

        host.Older = host.Newer = null;
    }
}
