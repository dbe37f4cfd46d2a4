namespace P0fSharp.Engine.Tracking;

/// <summary>Flows keyed by oriented endpoints, in creation order; recycled through a free list.</summary>
internal sealed class FlowTable
{
    private readonly Dictionary<FlowKey, Flow> _byKey;
    private readonly Stack<Flow> _free = new();
    private Flow? _oldest;
    private Flow? _newest;

    public FlowTable(int expectedFlows)
    {
        _byKey = new Dictionary<FlowKey, Flow>(Math.Min(expectedFlows + 16, 1 << 20));
    }

    public int Count => _byKey.Count;

    public Flow? Oldest => _oldest;

    /// <summary>
    /// p0f's lookup_flow: the packet either travels client→server (toServer) or back.
    /// </summary>
    public Flow? Find(in FlowKey forward, out bool toServer)
    {
        if (_byKey.TryGetValue(forward, out var flow))
        {
            toServer = true;
            return flow;
        }

        var reverse = new FlowKey(forward.Server, forward.Client, forward.ServerPort, forward.ClientPort);
        if (_byKey.TryGetValue(reverse, out flow))
        {
            toServer = false;
            return flow;
        }

        toServer = false;
        return null;
    }

    public Flow Add(in FlowKey key)
    {
        var flow = _free.Count > 0 ? _free.Pop() : new Flow();
        flow.Key = key;
        flow.Acknowledged = false;
        flow.SendSyn = false;
        flow.NextClientSeq = 0;
        flow.NextServerSeq = 0;
        flow.SynMss = 0;
        flow.ClientTicksPerSecond = 0;
        flow.ServerTicksPerSecond = 0;
        flow.HttpState = null;
        _byKey.Add(key, flow);

        flow.Older = _newest;
        flow.Newer = null;
        if (_newest != null)
        {
            _newest.Newer = flow;
        }
        else
        {
            _oldest = flow;
        }

        _newest = flow;
        return flow;
    }

    public void Remove(Flow flow)
    {
        _byKey.Remove(flow.Key);
        if (flow.Older != null)
        {
            flow.Older.Newer = flow.Newer;
        }
        else
        {
            _oldest = flow.Newer;
        }

        if (flow.Newer != null)
        {
            flow.Newer.Older = flow.Older;
        }
        else
        {
            _newest = flow.Older;
        }

        flow.Older = flow.Newer = null;
        flow.Client = HostSlot.None;
        flow.Server = HostSlot.None;
        flow.HttpState = null;
        _free.Push(flow);
    }
}
