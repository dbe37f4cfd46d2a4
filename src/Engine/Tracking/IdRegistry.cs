namespace P0fSharp.Engine.Tracking;

/// <summary>
/// Small ids for the few hundred labels, signatures and strings that host records point
/// to, so a record holds two bytes instead of an eight-byte reference. Id 0 means none.
/// Entries only come from the signature database (and p0f's fixed language table); the host
/// table compacts the registries when a new database replaces the old one.
/// </summary>
internal sealed class IdRegistry<T>
    where T : class
{
    public const int Capacity = ushort.MaxValue;

    private readonly IEqualityComparer<T> _comparer;
    private readonly List<T?> _items = [null];
    private readonly Dictionary<T, ushort> _ids;

    public IdRegistry(IEqualityComparer<T> comparer)
    {
        _comparer = comparer;
        _ids = new Dictionary<T, ushort>(comparer);
    }

    /// <summary>Registered entries, not counting the "none" id.</summary>
    public int Count => _items.Count - 1;

    public T? this[ushort id] => _items[id];

    /// <summary>
    /// The id of <paramref name="item"/>, registering it if new; 0 for null, and 0 in the
    /// (database-size) case that 65,535 distinct entries are already held.
    /// </summary>
    public ushort IdOf(T? item)
    {
        if (item is null)
        {
            return 0;
        }

        if (_ids.TryGetValue(item, out ushort id))
        {
            return id;
        }

        if (_items.Count > Capacity)
        {
            return 0;
        }

        id = (ushort)_items.Count;
        _items.Add(item);
        _ids.Add(item, id);
        return id;
    }

    /// <summary>An empty registry of the same kind, to re-register the entries still in use.</summary>
    public IdRegistry<T> CreateEmpty() => new(_comparer);
}
