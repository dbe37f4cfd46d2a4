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
public sealed class LogConformanceTests(ITestOutputHelper output) : CaptureGroupConformance(output)
{
    private protected override void Compare(RunPair pair) => DifferentialCheck.CompareLogs(pair, Output);
}
