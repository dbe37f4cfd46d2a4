namespace P0fSharp.Signatures;

/// <summary>One <c>sys</c> entry: either an OS class (<c>@unix</c>) or an OS name id.</summary>
public readonly record struct SysEntry(bool IsClass, int Id);

/// <summary>
/// A <c>label</c> line of a TCP or HTTP section. All signatures that follow it share the
/// instance, which is how NAT scoring can tell "same label" from "same name".
/// </summary>
public sealed class SignatureLabel
{
    private IReadOnlyList<SysEntry> _sys;

    internal SignatureLabel(
        int labelId,
        bool isGeneric,
        int classId,
        string? className,
        int nameId,
        string name,
        string? flavor,
        IReadOnlyList<SysEntry> sys)
    {
        LabelId = labelId;
        IsGeneric = isGeneric;
        ClassId = classId;
        ClassName = className;
        NameId = nameId;
        Name = name;
        Flavor = flavor;
        _sys = sys;
        Display = flavor is null ? name : name + " " + flavor;
    }

    /// <summary>p0f's global label counter (1 for the first TCP/HTTP label of the file).</summary>
    public int LabelId { get; }

    /// <summary>Label type <c>g</c>: only used when no specific signature matches.</summary>
    public bool IsGeneric { get; }

    /// <summary>Index into <see cref="SignatureDatabase.Classes"/>, or -1 for <c>!</c> (application).</summary>
    public int ClassId { get; }

    /// <summary>The class name as declared in <c>classes</c>; null for applications.</summary>
    public string? ClassName { get; }

    public bool IsApplication => ClassId == -1;

    /// <summary>Id in the name table (case-insensitive interning, first spelling wins).</summary>
    public int NameId { get; }

    /// <summary>The name as first registered in the name table (not necessarily as written here).</summary>
    public string Name { get; }

    /// <summary>Everything after the third colon, verbatim; null when empty.</summary>
    public string? Flavor { get; }

    /// <summary>
    /// The <c>sys</c> list in force for this label. Only meaningful for applications; OS labels
    /// inherit whatever list was parsed last, exactly like p0f (which never reads it for them).
    /// </summary>
    public IReadOnlyList<SysEntry> Sys => _sys;

    /// <summary>What p0f prints for a match: <c>name</c> or <c>name flavor</c>.</summary>
    public string Display { get; }

    public override string ToString() => Display;

    internal void SetSys(IReadOnlyList<SysEntry> sys) => _sys = sys;
}
