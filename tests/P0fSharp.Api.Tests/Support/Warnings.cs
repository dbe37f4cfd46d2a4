using System.Collections.Concurrent;

namespace P0fSharp.Api.Tests.Support;

/// <summary>A thread-safe warning sink.</summary>
internal sealed class Warnings
{
    private readonly ConcurrentQueue<string> _lines = new();

    public Action<string> Sink => _lines.Enqueue;

    public string[] All => [.. _lines];

    public int Count(string text) => _lines.Count(l => l == text);

    public int CountStartingWith(string prefix) => _lines.Count(l => l.StartsWith(prefix, StringComparison.Ordinal));
}
