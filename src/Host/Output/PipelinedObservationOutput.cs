using System.Runtime.ExceptionServices;
using P0fSharp.Engine.Observations;

namespace P0fSharp.Host.Output;

/// <summary>
/// For <c>-r</c>: renders and writes observations on a second thread, so that an offline run
/// uses two cores, the engine on the reading thread and p0f's text (a quarter of a run's CPU)
/// on the other. Observations travel in order, in batches through a fixed ring; the engine
/// waits only when the writer is a whole ring behind. Output is byte for byte what
/// <see cref="ObservationOutput"/> writes alone.
/// </summary>
public sealed class PipelinedObservationOutput : IObservationSink, IDisposable
{
    private const int RingSize = 3;

    private readonly ObservationOutput _output;
    private readonly ObservationBatch[] _ring = new ObservationBatch[RingSize];

    // Monitor.Wait rather than a semaphore: SemaphoreSlim spins before it sleeps, and the
    // writer, idle most of the time between batches, burnt a tenth of a run's CPU spinning.
    private readonly object _gate = new();
    private readonly Thread _writer;
    private int _filling;
    private int _handedOver; // batches waiting for the writer or being rendered
    private bool _stopping;
    private bool _disposed;
    private ExceptionDispatchInfo? _failure;

    public PipelinedObservationOutput(ObservationOutput output)
    {
        _output = output;
        for (int i = 0; i < RingSize; i++)
        {
            _ring[i] = new ObservationBatch();
        }

        _writer = new Thread(RunWriter) { Name = "p0fsharp-output", IsBackground = true };
        _writer.Start();
    }

    /// <summary>Whether a second thread can pay for itself here.</summary>
    public static bool Worthwhile => Environment.ProcessorCount > 1;

    public void Write(in Observation observation)
    {
        if (_ring[_filling].TryAdd(observation))
        {
            return;
        }

        HandOver();
        if (!_ring[_filling].TryAdd(observation))
        {
            throw new InvalidOperationException("An observation does not fit an empty output batch.");
        }
    }

    /// <summary>Waits until everything written so far is rendered, then flushes the streams.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ring[_filling].Count > 0)
        {
            HandOver();
        }

        WaitUntilHandedOverAtMost(0);

        // The writer is idle (nothing handed over): the streams are ours for now.
        _failure?.Throw();
        _output.Flush();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Flush();
        }
        finally
        {
            _disposed = true;
            lock (_gate)
            {
                _stopping = true;
                Monitor.PulseAll(_gate);
            }

            _writer.Join();
        }
    }

    private void HandOver()
    {
        lock (_gate)
        {
            _handedOver++;
            Monitor.PulseAll(_gate);
        }

        _filling = (_filling + 1) % RingSize;

        // Batches are rendered in order: with fewer than RingSize handed over, the next is free.
        WaitUntilHandedOverAtMost(RingSize - 1);
        _failure?.Throw();
    }

    private void WaitUntilHandedOverAtMost(int count)
    {
        lock (_gate)
        {
            while (_handedOver > count)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    private void RunWriter()
    {
        var builder = new ObservationBuilder(_output);
        int rendering = 0;
        while (true)
        {
            lock (_gate)
            {
                while (_handedOver == 0 && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_handedOver == 0)
                {
                    return;
                }
            }

            ObservationBatch batch = _ring[rendering];
            rendering = (rendering + 1) % RingSize;
            if (_failure == null)
            {
                try
                {
                    batch.ReplayInto(builder);
                }
#pragma warning disable CA1031 // handed to the engine's thread, which rethrows it; the writer keeps freeing batches so that thread never waits forever
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                }
            }

            batch.Clear();
            lock (_gate)
            {
                _handedOver--;
                Monitor.PulseAll(_gate);
            }
        }
    }
}
