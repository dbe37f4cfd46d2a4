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
public sealed class TerminalOutputConformanceTests(ITestOutputHelper output) : CaptureGroupConformance(output)
{
    private protected override void Compare(RunPair pair) => DifferentialCheck.CompareTerminal(pair, Output);
}
