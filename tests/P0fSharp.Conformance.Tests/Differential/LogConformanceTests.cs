using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// The differential harness: the real p0f and P0fSharp read the same capture with the same
/// command line (<c>-r FILE -o LOG -f DB [args] ['filter']</c>, TZ=UTC) and their <c>-o</c> logs,
/// reduced to the compared modules (<see cref="ConformanceSettings.Modules"/>, default
/// syn, syn+ack and mtu), must be identical line for line, in order, with the same exit status.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LogConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> VectorCases => CaseCatalog.Names(CaseCatalog.Vectors);

    public static TheoryData<string> GeneratedCases => CaseCatalog.Names(CaseCatalog.Generated);

    public static TheoryData<string> CraftedCases => CaseCatalog.Names(CaseCatalog.Crafted);

    public static TheoryData<string> RealCases => CaseCatalog.Names(CaseCatalog.Real);

    /// <summary>(a) The 41 p0f vectors of ../shared/p0f/vectors with their own db, args and filter.</summary>
    [Theory]
    [MemberData(nameof(VectorCases))]
    public void Vector_log_equals_p0f(string name) => Check(CaseCatalog.Vectors, name);

    /// <summary>(b) Synthetic SMTP captures from gen_pcap.py, generated at test time (seeds × 2000 connections).</summary>
    [Theory]
    [MemberData(nameof(GeneratedCases))]
    public void Generated_capture_log_equals_p0f(string name) => Check(CaseCatalog.Generated, name);

    /// <summary>(c) Captures crafted byte by byte by tests/data/craft_cases.py.</summary>
    [Theory]
    [MemberData(nameof(CraftedCases))]
    public void Crafted_capture_log_equals_p0f(string name) => Check(CaseCatalog.Crafted, name);

    /// <summary>(d) Real traffic of curl, wget, python and other clients against real servers (tests/data/real).</summary>
    [Theory]
    [MemberData(nameof(RealCases))]
    public void Real_traffic_log_equals_p0f(string name) => Check(CaseCatalog.Real, name);

    private void Check(string group, string name)
    {
        if (DifferentialCheck.HandleUnavailable(group, name, output))
        {
            return;
        }

        DifferentialCheck.CompareLogs(DifferentialCheck.Run(group, name), output);
    }
}
