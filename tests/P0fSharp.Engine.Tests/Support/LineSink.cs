using System.Text;
using P0fSharp.Engine.Observations;

namespace P0fSharp.Engine.Tests.Support;

/// <summary>Collects observations as p0f <c>-o</c> log lines without the timestamp prefix.</summary>
internal sealed class LineSink : IObservationSink
{
    private readonly ObservationFormatter _formatter = new();
    private readonly StringBuilder _text = new();

    public List<string> Lines { get; } = [];

    public void Write(in Observation observation)
    {
        _text.Clear();
        _formatter.AppendLogLine(observation, _text);
        string line = _text.ToString().TrimEnd('\n');
        Lines.Add(line[(line.IndexOf("] ", StringComparison.Ordinal) + 2)..]);
    }
}
