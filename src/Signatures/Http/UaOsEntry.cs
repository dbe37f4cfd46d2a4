namespace P0fSharp.Signatures.Http;

/// <summary>
/// One <c>ua_os</c> mapping: if <see cref="SearchString"/> occurs in a User-Agent, the
/// client claims to run OS <see cref="NameId"/>. Kept in file order; the first hit counts.
/// </summary>
/// <param name="NameId">Id in the shared name table.</param>
/// <param name="Name">The OS name as printed (first registered spelling).</param>
/// <param name="SearchString">The <c>=[alias]</c> if given, else <paramref name="Name"/>.</param>
public sealed record UaOsEntry(int NameId, string Name, string SearchString);
