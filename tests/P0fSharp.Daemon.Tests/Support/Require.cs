using Xunit;

namespace P0fSharp.Daemon.Tests.Support;

/// <summary>
/// Preconditions. These tests create network namespaces and capture packets, so they need
/// root and a few programs; when something is missing they fail (never skip) and say what to
/// do, because CI runs them as root and a silently skipped daemon test proves nothing.
/// </summary>
internal static class Require
{
    public static void Root()
    {
        if (Native.geteuid() != 0)
        {
            Assert.Fail("This test needs root (it creates network namespaces and veth pairs and captures on them). "
                + "Run the suite as root, as CI does: sudo ./test.sh --filter 'FullyQualifiedName~P0fSharp.Daemon'.");
        }
    }

    /// <summary>The path of a program the test needs; fails with the package to install when it is absent.</summary>
    public static string Program(string name, string package)
    {
        if (Paths.Locate(name) is { } path)
        {
            return path;
        }

        Assert.Fail($"'{name}' is not installed (Debian package '{package}'). Run ./test.sh from the repository root: "
            + "it installs the test dependencies (p0f, tcpreplay, iproute2, python3 …) and then runs the tests.");
        throw new InvalidOperationException("unreachable");
    }

    public static string Ip() => Program("ip", "iproute2");

    public static string Python() => Program("python3", "python3");

    public static string RealP0f() => Program("p0f", "p0f");

    public static string TcpReplay() => Program("tcpreplay", "tcpreplay");

    /// <summary>Root plus the tools every namespace test uses.</summary>
    public static void NetworkLab()
    {
        Root();
        Ip();
        Python();
        if (!File.Exists(Paths.OursDll))
        {
            Assert.Fail($"p0fsharp.dll is missing next to the tests ({Paths.OursDll}); build the solution first.");
        }
    }
}
