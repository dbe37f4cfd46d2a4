using System.Reflection;
using P0fSharp.Rspamd.Tests.Support;
using Xunit.Sdk;

namespace P0fSharp.Rspamd.Tests;

/// <summary>The rspamd configurations the scenarios run against, by the client that answers.</summary>
internal static class Profiles
{
    public const string Verdict = "P0F";
    public const string Failure = "P0F_FAIL";
    public const string Header = "X-OS-Fingerprint";

    /// <summary>rspamd's stock module (enabled = true), with the bundled plugin installed too: it must stay out of the way.</summary>
    public static readonly RspamdProfile Stock = new("stock", Stock: true, Plugin: true, Redis: false);

    /// <summary>The bundled plugin as shipped, plus two pattern symbols.</summary>
    public static readonly RspamdProfile Bundled = new("bundled", Stock: false, Plugin: true, Redis: false,
        "patterns {\n  E2E_LINUX = \"^Linux\";\n  E2E_FAKE = { regexp = \"^FakeOS\"; score = 0.5; }\n}\n");

    public static readonly RspamdProfile StockRedis = new("stock-redis", Stock: true, Plugin: false, Redis: true);

    public static readonly RspamdProfile BundledRedis = new("bundled-redis", Stock: false, Plugin: true, Redis: true);

    public static RspamdProfile For(string client, bool redis = false) => (client, redis) switch
    {
        ("stock", false) => Stock,
        ("bundled", false) => Bundled,
        ("stock", true) => StockRedis,
        ("bundled", true) => BundledRedis,
        _ => throw new ArgumentException("client is 'stock' or 'bundled'", nameof(client)),
    };
}

/// <summary>Runs a scenario once per rspamd client: "stock" (rspamd's module) and "bundled" (rspamd/ of this repository).</summary>
internal sealed class BothClientsAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [["stock"], ["bundled"]];
}
