using P0fSharp.Conformance.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// The human-readable output (p0f's <c>.-[ … ]-</c> blocks, spec §8.2, plus the banner, warnings and
/// the closing "All done" line) must equal p0f's, except for the lines listed in
/// <see cref="ExpectedDifferences"/>. Blocks of modules outside the compared set are left out on both sides.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TerminalOutputConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> VectorCases => CaseCatalog.Names(CaseCatalog.Vectors);

    public static TheoryData<string> GeneratedCases => CaseCatalog.Names(CaseCatalog.Generated);

    public static TheoryData<string> CraftedCases => CaseCatalog.Names(CaseCatalog.Crafted);

    public static TheoryData<string> RealCases => CaseCatalog.Names(CaseCatalog.Real);

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void Vector_terminal_output_equals_p0f(string name) => Check(CaseCatalog.Vectors, name);

    [Theory]
    [MemberData(nameof(GeneratedCases))]
    public void Generated_capture_terminal_output_equals_p0f(string name) => Check(CaseCatalog.Generated, name);

    [Theory]
    [MemberData(nameof(CraftedCases))]
    public void Crafted_capture_terminal_output_equals_p0f(string name) => Check(CaseCatalog.Crafted, name);

    [Theory]
    [MemberData(nameof(RealCases))]
    public void Real_traffic_terminal_output_equals_p0f(string name) => Check(CaseCatalog.Real, name);

    private void Check(string group, string name)
    {
        if (DifferentialCheck.HandleUnavailable(group, name, output))
        {
            return;
        }

        DifferentialCheck.CompareTerminal(DifferentialCheck.Run(group, name), output);
    }
}
