namespace P0fSharp.Signatures.Http;

/// <summary>
/// p0f's per-direction header lists (header ids of <see cref="HttpHeaderTable"/>):
/// <list type="bullet">
/// <item><see cref="Optional"/>: printed with a <c>?</c> prefix and never with a value;</item>
/// <item><see cref="Common"/>: expected headers, listed in the "absent" part of <c>raw_sig</c>
/// when missing, in this order;</item>
/// <item><see cref="SkipValue"/>: values too variable to print.</item>
/// </list>
/// </summary>
public sealed class HttpHeaderLists
{
    private readonly int[] _optional;
    private readonly int[] _common;
    private readonly int[] _skipValue;

    internal HttpHeaderLists(int[] optional, int[] common, int[] skipValue)
    {
        _optional = optional;
        _common = common;
        _skipValue = skipValue;
    }

    public ReadOnlySpan<int> Optional => _optional;

    public ReadOnlySpan<int> Common => _common;

    public ReadOnlySpan<int> SkipValue => _skipValue;

    public bool IsOptional(int headerId) => headerId >= 0 && Array.IndexOf(_optional, headerId) >= 0;

    public bool IsSkipValue(int headerId) => headerId >= 0 && Array.IndexOf(_skipValue, headerId) >= 0;
}
