using System.Collections.Concurrent;

namespace P0fSharp.Conformance.Tests.Harness;

/// <summary>Both tools' results for one capture.</summary>
internal sealed record RunPair(ConformanceCase Case, ToolResult P0f, ToolResult Ours);

/// <summary>
/// Runs p0f and P0fSharp once per capture (side by side, each in its own working folder with the
/// same relative log name so even the "Log file … opened" banner lines are comparable) and caches
/// the results for the log test and the terminal-output test.
/// </summary>
internal static class DifferentialRuns
{
    private static readonly ConcurrentDictionary<string, Lazy<RunPair>> s_runs = new();

    public static RunPair Get(ConformanceCase c, ToolCommand p0f) =>
        s_runs.GetOrAdd(c.Id, _ => new Lazy<RunPair>(() => RunBoth(c, p0f))).Value;

    private static RunPair RunBoth(ConformanceCase c, ToolCommand p0f)
    {
        if (c.Generator is not null)
        {
            CaseCatalog.EnsureGenerated(c);
        }

        IReadOnlyList<string> args = c.Arguments();
        string root = TempRoot.Sub("runs", c.Group, c.Name);
        Task<ToolResult> reference = Task.Run(() => Tools.Run(p0f, args, Path.Combine(root, "p0f")));
        Task<ToolResult> ours = Task.Run(() => Tools.Run(Tools.Ours, args, Path.Combine(root, "p0fsharp")));
        return new RunPair(c, reference.GetAwaiter().GetResult(), ours.GetAwaiter().GetResult());
    }
}
