using System.Numerics;
using System.Runtime.CompilerServices;
using P0fSharp.Engine.Http;
using P0fSharp.Engine.Packets;
using P0fSharp.Signatures;
using P0fSharp.Signatures.Tcp;

namespace P0fSharp.Engine.Tracking;

/// <summary>
/// Host records by address, plus p0f's age list (least recently touched first) so eviction
/// and expiry walk them in p0f's order. Records are <see cref="HostSlot"/> structs in chunks
/// of 4,096 that are allocated as the table grows and never move; a freed slot is reused by
/// the next new host. The index is a power-of-two bucket array chained through the slots.
/// Per host that is 168 bytes of slot plus about 4 bytes of bucket; rare extras (HTTP state,
/// option layouts that do not pack) live in side dictionaries keyed by slot.
/// </summary>
internal sealed class HostTable
{
    private const int ChunkShift = 12;
    private const int ChunkSize = 1 << ChunkShift;
    private const int ChunkMask = ChunkSize - 1;
    private const int MaxInitialBuckets = 1 << 20;

    private readonly Dictionary<int, HttpHostState> _http = [];
    private readonly Dictionary<int, TcpOptionLayout> _spilledLayouts = [];
    private HostSlot[][] _chunks = new HostSlot[4][];
    private int _chunkCount;
    private int _highWater;
    private int _freeHead = HostSlot.None;
    private int[] _buckets;
    private int _oldest = HostSlot.None;
    private int _newest = HostSlot.None;

    public HostTable(int expectedHosts)
    {
        int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(expectedHosts + 16, 16, MaxInitialBuckets));
        _buckets = new int[buckets];
        _buckets.AsSpan().Fill(HostSlot.None);
    }

    public int Count { get; private set; }

    /// <summary>Least recently touched host, or <see cref="HostSlot.None"/>.</summary>
    public int Oldest => _oldest;

    public IdRegistry<SignatureLabel> Labels { get; private set; } = new(ReferenceEqualityComparer.Instance);

    public IdRegistry<TcpSignature> Signatures { get; private set; } = new(ReferenceEqualityComparer.Instance);

    public IdRegistry<string> Strings { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>Bytes held by slot chunks and buckets (side dictionaries not included).</summary>
    public long ReservedBytes =>
        ((long)_chunkCount * ChunkSize * Unsafe.SizeOf<HostSlot>()) + ((long)_buckets.Length * sizeof(int));

    public ref HostSlot this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _chunks[index >> ChunkShift][index & ChunkMask];
    }

    public int Find(in HostAddress address)
    {
        int index = _buckets[Bucket(address)];
        while (index != HostSlot.None)
        {
            ref HostSlot slot = ref this[index];
            if (slot.Is(address))
            {
                return index;
            }

            index = slot.HashNext;
        }

        return HostSlot.None;
    }

    public int Add(in HostAddress address, uint now)
    {
        if (Count >= _buckets.Length)
        {
            Rehash(_buckets.Length * 2);
        }

        int index = TakeSlot();
        ref HostSlot slot = ref this[index];
        slot.Reset(address, now);
        int bucket = Bucket(address);
        slot.HashNext = _buckets[bucket];
        _buckets[bucket] = index;
        Count++;
        Append(index, ref slot);
        return index;
    }

    /// <summary>Marks the host as just seen: p0f's touch_host.</summary>
    public void Touch(int index, uint now)
    {
        ref HostSlot slot = ref this[index];
        slot.LastSeen = now;
        if (_newest == index)
        {
            return;
        }

        Unlink(ref slot);
        Append(index, ref slot);
    }

    public void Remove(int index)
    {
        ref HostSlot slot = ref this[index];
        int bucket = Bucket(slot.Address);
        if (_buckets[bucket] == index)
        {
            _buckets[bucket] = slot.HashNext;
        }
        else
        {
            int previous = _buckets[bucket];
            while (this[previous].HashNext != index)
            {
                previous = this[previous].HashNext;
            }

            this[previous].HashNext = slot.HashNext;
        }

        Unlink(ref slot);
        if (slot.HasHttpState)
        {
            _http.Remove(index);
        }

        if (slot.LastSyn.Spilled)
        {
            _spilledLayouts.Remove(LayoutKey(index, synAck: false));
        }

        if (slot.LastSynAck.Spilled)
        {
            _spilledLayouts.Remove(LayoutKey(index, synAck: true));
        }

        slot = default;
        slot.HashNext = _freeHead;
        _freeHead = index;
        Count--;
    }

    public HttpHostState? HttpState(int index) =>
        this[index].HasHttpState ? _http[index] : null;

    public HttpHostState GetOrCreateHttpState(int index)
    {
        ref HostSlot slot = ref this[index];
        if (slot.HasHttpState)
        {
            return _http[index];
        }

        var state = new HttpHostState();
        _http.Add(index, state);
        slot.HasHttpState = true;
        return state;
    }

    /// <summary>Remembers a SYN (or SYN+ACK) fingerprint as the host's reference for uptime and NAT checks.</summary>
    public void StoreReference(int index, bool synAck, in TcpFingerprint fp, ulong receivedMs, TcpSignature? matched, bool fuzzy)
    {
        ref TcpReference reference = ref synAck ? ref this[index].LastSynAck : ref this[index].LastSyn;
        bool spilled = !PackedLayout.TryPack(fp.Layout, out ulong nibbles);
        if (spilled)
        {
            _spilledLayouts[LayoutKey(index, synAck)] = fp.Layout;
        }
        else if (reference.Spilled)
        {
            _spilledLayouts.Remove(LayoutKey(index, synAck));
        }

        reference.ReceivedMs = receivedMs;
        reference.Ts1 = fp.Ts1;
        reference.Quirks = fp.Quirks;
        reference.LayoutNibbles = nibbles;
        reference.LayoutCount = (byte)fp.Layout.Count;
        reference.Mss = fp.Mss;
        reference.Ttl = fp.Ttl;
        reference.Signature = Signatures.IdOf(matched);
        reference.SetFlags(present: true, fuzzy, spilled);
    }

    /// <summary>Whether the host's stored SYN (or SYN+ACK) option layout equals <paramref name="layout"/>.</summary>
    public bool LayoutEquals(int index, bool synAck, in TcpOptionLayout layout)
    {
        ref TcpReference reference = ref synAck ? ref this[index].LastSynAck : ref this[index].LastSyn;
        if (reference.Spilled)
        {
            return _spilledLayouts[LayoutKey(index, synAck)] == layout;
        }

        // A layout packs or spills deterministically, so a spilling one cannot equal a packed one.
        return PackedLayout.TryPack(layout, out ulong nibbles)
            && nibbles == reference.LayoutNibbles && layout.Count == reference.LayoutCount;
    }

    /// <summary>
    /// Re-registers the labels, signatures and strings that live hosts still point to and
    /// drops the rest, so registries do not grow with every database reload.
    /// </summary>
    public void CompactRegistries()
    {
        var labels = Labels.CreateEmpty();
        var signatures = Signatures.CreateEmpty();
        var strings = Strings.CreateEmpty();
        for (int index = _oldest; index != HostSlot.None;)
        {
            ref HostSlot slot = ref this[index];
            slot.LastLabel = labels.IdOf(Labels[slot.LastLabel]);
            slot.HttpLabel = labels.IdOf(Labels[slot.HttpLabel]);
            slot.LastSyn.Signature = signatures.IdOf(Signatures[slot.LastSyn.Signature]);
            slot.LastSynAck.Signature = signatures.IdOf(Signatures[slot.LastSynAck.Signature]);
            slot.LinkType = strings.IdOf(Strings[slot.LinkType]);
            slot.Language = strings.IdOf(Strings[slot.Language]);
            index = slot.Newer;
        }

        Labels = labels;
        Signatures = signatures;
        Strings = strings;
    }

    private static int LayoutKey(int index, bool synAck) => (index << 1) | (synAck ? 1 : 0);

    private int Bucket(in HostAddress address) => KeyedHash.Of(address) & (_buckets.Length - 1);

    private int TakeSlot()
    {
        if (_freeHead != HostSlot.None)
        {
            int reused = _freeHead;
            _freeHead = this[reused].HashNext;
            return reused;
        }

        if ((_highWater & ChunkMask) == 0 && (_highWater >> ChunkShift) == _chunkCount)
        {
            if (_chunkCount == _chunks.Length)
            {
                Array.Resize(ref _chunks, _chunks.Length * 2);
            }

            _chunks[_chunkCount++] = GC.AllocateUninitializedArray<HostSlot>(ChunkSize);
        }

        return _highWater++;
    }

    private void Rehash(int bucketCount)
    {
        _buckets = new int[bucketCount];
        _buckets.AsSpan().Fill(HostSlot.None);
        for (int index = _oldest; index != HostSlot.None;)
        {
            ref HostSlot slot = ref this[index];
            int bucket = Bucket(slot.Address);
            slot.HashNext = _buckets[bucket];
            _buckets[bucket] = index;
            index = slot.Newer;
        }
    }

    private void Append(int index, ref HostSlot slot)
    {
        slot.Older = _newest;
        slot.Newer = HostSlot.None;
        if (_newest != HostSlot.None)
        {
            this[_newest].Newer = index;
        }
        else
        {
            _oldest = index;
        }

        _newest = index;
    }

    private void Unlink(ref HostSlot slot)
    {
        if (slot.Older != HostSlot.None)
        {
            this[slot.Older].Newer = slot.Newer;
        }
        else
        {
            _oldest = slot.Newer;
        }

        if (slot.Newer != HostSlot.None)
        {
            this[slot.Newer].Older = slot.Older;
        }
        else
        {
            _newest = slot.Older;
        }

        slot.Older = slot.Newer = HostSlot.None;
    }
}
