using System.Net;
using System.Text.RegularExpressions;
using P0fSharp.Rspamd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Rspamd.Tests;

/// <summary>Shared steps of the scenarios: scan, and read what rspamd logged meanwhile.</summary>
[Collection(RspamdCollection.Name)]
public abstract partial class Scenario
{
    protected Scenario(RspamdWorld world, ITestOutputHelper output)
    {
        World = world;
        Output = output;
        Assert.True(world.Ready, "the shared set-up did not run (see the first failure of this collection)");
    }

    protected RspamdWorld World { get; }

    protected ITestOutputHelper Output { get; }

    internal P0fAnswer AnswerV4 => World.AnswerV4!;

    internal P0fAnswer AnswerV6 => World.AnswerV6!;

    internal FakeDaemon Fake => World.Fake!;

    /// <summary>The rspamd of <paramref name="profile"/>, its socket setting aimed at <paramref name="socket"/>.</summary>
    internal RspamdInstance Rspamd(RspamdProfile profile, string socket)
    {
        RspamdInstance rspamd = World.Rspamd(profile);
        rspamd.Route(socket);
        return rspamd;
    }

    internal ScanResult Scan(RspamdInstance rspamd, string message, IPAddress? client)
    {
        ScanResult result = rspamd.Scan(message, client);
        Output.WriteLine($"[{rspamd.Profile.Name}] rspamc -i {client?.ToString() ?? "(none)"} {Path.GetFileName(message)}: {result}");
        Assert.NotNull(result.Action);
        return result;
    }

    /// <summary>No verdict, no failure symbol: the daemon was not asked, or had nothing to say.</summary>
    internal static void AssertNothing(ScanResult result)
    {
        Assert.False(result.Has(Profiles.Verdict), "unexpected verdict: " + result);
        Assert.False(result.Has(Profiles.Failure), "unexpected failure symbol: " + result);
        Assert.Null(result.AddedHeader(Profiles.Header));
    }

    /// <summary>The failure symbol, with a reason containing <paramref name="reason"/>, and no verdict.</summary>
    internal static void AssertFailure(ScanResult result, string reason)
    {
        Assert.False(result.Has(Profiles.Verdict), "unexpected verdict: " + result);
        Assert.True(result.Has(Profiles.Failure), "no failure symbol: " + result);
        string options = string.Join(" | ", result.Options(Profiles.Failure));
        Assert.Contains(reason, options, StringComparison.Ordinal);
        Assert.Null(result.AddedHeader(Profiles.Header));
    }

    /// <summary>The bundled plugin's failure log lines ("p0fsharp: no fingerprint from …").</summary>
    protected static IReadOnlyList<string> PluginFailureLines(IEnumerable<string> log) =>
        log.Where(l => l.Contains("p0fsharp: no fingerprint from", StringComparison.Ordinal)).ToList();

    /// <summary>Lua errors in the plugin, or symbols it inserted without registering them.</summary>
    protected static IReadOnlyList<string> PluginErrors(IEnumerable<string> log) =>
        log.Where(l => PluginError().IsMatch(l)).ToList();

    [GeneratedRegex(@"/p0fsharp\.lua:\d+:|p0fsharp: internal error|lua_tcp.*call failed|unknown symbol (P0F|E2E_)")]
    private static partial Regex PluginError();
}
