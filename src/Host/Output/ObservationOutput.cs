using System.Text;
using P0fSharp.Engine.Observations;

namespace P0fSharp.Host.Output;

/// <summary>
/// Writes observations the way p0f does: a block on the terminal (unless daemonised) and a
/// line in the <c>-o</c> log. Text is encoded into reused buffers, so steady state allocates
/// nothing per observation.
/// </summary>
public sealed class ObservationOutput : IObservationSink, IDisposable
{
    private readonly ObservationFormatter _formatter = new();
    private readonly StringBuilder _text = new(4096);
    private readonly Stream? _terminal;
    private readonly LogFile? _log;
    private readonly byte[] _encoded = new byte[1 << 18];
    private int _encodedUsed;

    public ObservationOutput(Stream? terminal, LogFile? log)
    {
        _terminal = terminal;
        _log = log;
    }

    /// <summary>Flush after every observation (live mode on a terminal or pipe).</summary>
    public bool FlushEachObservation { get; set; }

    public long ObservationsWritten { get; private set; }

    public void Write(in Observation observation)
    {
        ObservationsWritten++;
        if (_terminal != null)
        {
            _text.Clear();
            _formatter.AppendBlock(observation, _text);
            Emit(_terminal);
        }

        if (_log != null)
        {
            _text.Clear();
            _formatter.AppendLogLine(observation, _text);
            _log.Append(_text);
        }

        if (FlushEachObservation)
        {
            Flush();
        }
    }

    /// <summary>Writes arbitrary text to the terminal stream in order with the blocks.</summary>
    public void WriteTerminal(string text)
    {
        if (_terminal == null)
        {
            return;
        }

        _text.Clear();
        _text.Append(text);
        Emit(_terminal);
    }

    public void Flush()
    {
        if (_terminal != null)
        {
            FlushTerminal(_terminal);
            _terminal.Flush();
        }

        _log?.Flush();
    }

    public void Dispose()
    {
        Flush();
        _log?.Dispose();
    }

    private void Emit(Stream terminal)
    {
        int max = Encoding.Latin1.GetMaxByteCount(_text.Length);
        if (_encodedUsed + max > _encoded.Length)
        {
            FlushTerminal(terminal);
        }

        if (max > _encoded.Length)
        {
            foreach (var chunk in _text.GetChunks())
            {
                var bytes = Encoding.Latin1.GetBytes(chunk.ToArray());
                terminal.Write(bytes);
            }

            return;
        }

        foreach (var chunk in _text.GetChunks())
        {
            _encodedUsed += Encoding.Latin1.GetBytes(chunk.Span, _encoded.AsSpan(_encodedUsed));
        }
    }

    private void FlushTerminal(Stream terminal)
    {
        if (_encodedUsed > 0)
        {
            try
            {
                terminal.Write(_encoded, 0, _encodedUsed);
            }
            catch (IOException)
            {
                // A closed stdout (e.g. `| head`) must not stop fingerprinting or the log.
            }

            _encodedUsed = 0;
        }
    }
}
