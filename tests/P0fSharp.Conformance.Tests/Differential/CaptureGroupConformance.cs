using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// One theory per capture group, each case run through the real p0f and P0fSharp with the
/// same command line; the derived class says which output of the pair must be equal.
/// </summary>
public abstract class CaptureGroupConformance(ITestOutputHelper output)
{
    public static TheoryData<string> VectorCases => CaseCatalog.Names(CaseCatalog.Vectors);

    public static TheoryData<string> GeneratedCases => CaseCatalog.Names(CaseCatalog.Generated);

    public static TheoryData<string> CraftedCases => CaseCatalog.Names(CaseCatalog.Crafted);

    public static TheoryData<string> RealCases => CaseCatalog.Names(CaseCatalog.Real);

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>(a) The 41 p0f vectors of ../shared/p0f/vectors with their own db, args and filter.</summary>
    [Theory]
    [MemberData(nameof(VectorCases), MemberType = typeof(CaptureGroupConformance))]
    public void Vector_equals_p0f(string name) => Check(CaseCatalog.Vectors, name);

    /// <summary>(b) Synthetic SMTP captures from gen_pcap.py, generated at test time (seeds × 2000 connections).</summary>
    [Theory]
    [MemberData(nameof(GeneratedCases), MemberType = typeof(CaptureGroupConformance))]
    public void Generated_capture_equals_p0f(string name) => Check(CaseCatalog.Generated, name);

    /// <summary>(c) Captures crafted byte by byte by tests/data/craft_cases.py.</summary>
    [Theory]
    [MemberData(nameof(CraftedCases), MemberType = typeof(CaptureGroupConformance))]
    public void Crafted_capture_equals_p0f(string name) => Check(CaseCatalog.Crafted, name);

    /// <summary>(d) Real traffic of curl, wget, python and other clients against real servers (tests/data/real).</summary>
    [Theory]
    [MemberData(nameof(RealCases), MemberType = typeof(CaptureGroupConformance))]
    public void Real_traffic_equals_p0f(string name) => Check(CaseCatalog.Real, name);

    /// <summary>Asserts the part of the pair this class is about.</summary>
    private protected abstract void Compare(RunPair pair);

    private void Check(string group, string name)
    {
        if (DifferentialCheck.HandleUnavailable(group, name, Output))
        {
            return;
        }

        Compare(DifferentialCheck.Run(group, name));
    }
}
