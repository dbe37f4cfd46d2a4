using System.Text.Json;
using System.Text.RegularExpressions;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>rspamd's JSON reply to one scan (<c>rspamc -j</c>).</summary>
internal sealed partial class ScanResult
{
    private static readonly JsonElement s_none = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly JsonElement _root;

    public ScanResult(string json, TimeSpan elapsed)
    {
        Json = json;
        Elapsed = elapsed;
        using var doc = JsonDocument.Parse(json);
        _root = doc.RootElement.Clone();
    }

    public string Json { get; }

    public TimeSpan Elapsed { get; }

    public string? Action => _root.TryGetProperty("action", out JsonElement a) ? a.GetString() : null;

    public bool Has(string symbol) => Symbols.TryGetProperty(symbol, out _);

    public IReadOnlyList<string> Options(string symbol) =>
        Symbols.TryGetProperty(symbol, out JsonElement s) && s.TryGetProperty("options", out JsonElement o)
            ? o.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
            : [];

    public double? Score(string symbol) =>
        Symbols.TryGetProperty(symbol, out JsonElement s) && s.TryGetProperty("score", out JsonElement v) ? v.GetDouble() : null;

    /// <summary>The symbols whose name matches <paramref name="pattern"/>, with their options, for messages.</summary>
    public string Describe(string pattern = "^P0F|^LINUX|^WINDOWS|^E2E_")
    {
        var regex = new Regex(pattern);
        IEnumerable<string> hits = Symbols.EnumerateObject()
            .Where(p => regex.IsMatch(p.Name))
            .Select(p => p.Name + "[" + string.Join(", ", Options(p.Name)) + "]");
        string milter = _root.TryGetProperty("milter", out JsonElement m) ? " milter=" + JsonSerializer.Serialize(m) : string.Empty;
        return $"action={Action} {string.Join(' ', hits)}{milter} ({Elapsed.TotalSeconds:0.00}s)";
    }

    /// <summary>The unfolded value of a header rspamd asks the MTA to add, or null.</summary>
    public string? AddedHeader(string name)
    {
        if (!_root.TryGetProperty("milter", out JsonElement milter) || !milter.TryGetProperty("add_headers", out JsonElement add)
            || !add.TryGetProperty(name, out JsonElement header))
        {
            return null;
        }

        // rspamd 3.4 sends {value, order} for one header, a list of them for several, or a bare string
        JsonElement value = header.ValueKind switch
        {
            JsonValueKind.Array => header[0],
            _ => header,
        };
        string? text = value.ValueKind == JsonValueKind.Object ? value.GetProperty("value").GetString() : value.GetString();
        return text == null ? null : Folding().Replace(text, " ");
    }

    /// <summary>How many copies of a header the milter reply removes (0 = every copy), or null.</summary>
    public int? RemovedHeader(string name) =>
        _root.TryGetProperty("milter", out JsonElement milter) && milter.TryGetProperty("remove_headers", out JsonElement rm)
            && rm.TryGetProperty(name, out JsonElement n) && n.ValueKind == JsonValueKind.Number
            ? n.GetInt32()
            : null;

    private JsonElement Symbols => _root.TryGetProperty("symbols", out JsonElement s) && s.ValueKind == JsonValueKind.Object ? s : s_none;

    [GeneratedRegex("\r?\n[ \t]+")]
    private static partial Regex Folding();

    public override string ToString() => Describe();
}
