namespace P0fSharp.Signatures.Database;

/// <summary>
/// p0f's global OS/application name table, shared by labels, <c>sys</c> and <c>ua_os</c>.
/// Lookups ignore case; the first spelling registered is the one that gets printed.
/// Names only ever contain ASCII (alnum plus NAME_CHARS), so ordinal-ignore-case equals
/// the C library's strcasecmp here.
/// </summary>
internal sealed class NameTable
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _ids = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Names => _names;

    public int LookupOrAdd(string name)
    {
        if (_ids.TryGetValue(name, out int id))
        {
            return id;
        }

        id = _names.Count;
        _names.Add(name);
        _ids.Add(name, id);
        return id;
    }
}
