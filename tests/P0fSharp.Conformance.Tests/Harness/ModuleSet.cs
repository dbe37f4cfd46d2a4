namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>Which observation modules (<c>mod=</c> values) take part in a comparison.</summary>
internal sealed class ModuleSet
{
    private readonly HashSet<string>? _modules;

    private ModuleSet(HashSet<string>? modules) => _modules = modules;

    public static ModuleSet All { get; } = new(null);

    public bool IsAll => _modules is null;

    /// <summary>"all" (or "*") for every module, else a comma-separated list such as "syn,syn+ack,mtu".</summary>
    public static ModuleSet Parse(string text)
    {
        string trimmed = text.Trim();
        if (trimmed is "all" or "*")
        {
            return All;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (string item in trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            set.Add(item);
        }

        if (set.Count == 0)
        {
            throw new ArgumentException("empty module list", nameof(text));
        }

        return new ModuleSet(set);
    }

    public bool Contains(string module) => _modules is null || _modules.Contains(module);

    /// <summary>
    /// The module of a log line: <c>[YYYY/MM/DD HH:MM:SS] mod=&lt;module&gt;|…</c>. Null when the
    /// line does not have that shape (such lines are always compared).
    /// </summary>
    public static string? ModuleOfLogLine(string line)
    {
        int start = line.IndexOf("] mod=", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += "] mod=".Length;
        int end = line.IndexOf('|', start);
        return end < 0 ? line[start..] : line[start..end];
    }

    public List<string> FilterLog(IEnumerable<string> lines)
    {
        var kept = new List<string>();
        foreach (string line in lines)
        {
            string? module = ModuleOfLogLine(line);
            if (module is null || Contains(module))
            {
                kept.Add(line);
            }
        }

        return kept;
    }

    public override string ToString() => _modules is null ? "all" : string.Join(",", _modules.Order(StringComparer.Ordinal));
}
