using Xunit;

namespace P0fSharp.Conformance.Tests.Differential;

/// <summary>
/// The tests that start p0f / p0fsharp processes share one collection so they run one after
/// another (each comparison already runs the two tools side by side; CI has two cores).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection
{
    public const string Name = "p0f processes";
}
