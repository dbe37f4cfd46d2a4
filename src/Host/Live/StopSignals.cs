using System.Runtime.InteropServices;

namespace P0fSharp.Host.Live;

/// <summary>
/// SIGTERM and SIGINT as stop requests from the moment start-up opens its first resource, so a
/// service manager's early SIGTERM still ends in a clean shutdown (socket file removed, final
/// statistics) rather than the runtime's default termination. A request made before the host
/// runs is handed over when <see cref="Attach"/> is called.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;
    private readonly ManualResetEventSlim _requested = new();
    private readonly Lock _gate = new();
    private Action? _onStop;

    public StopSignals()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    /// <summary>True once SIGTERM or SIGINT arrived.</summary>
    public bool Requested => _requested.IsSet;

    /// <summary>Runs <paramref name="onStop"/> on the next signal, or now if one already came.</summary>
    public void Attach(Action onStop)
    {
        lock (_gate)
        {
            _onStop = onStop;
        }

        if (Requested)
        {
            onStop();
        }
    }

    /// <summary>Requests a stop as a signal would (e.g. SIGHUP where it means "stop").</summary>
    public void Request()
    {
        _requested.Set();
        Action? onStop;
        lock (_gate)
        {
            onStop = _onStop;
        }

        onStop?.Invoke();
    }

    /// <summary>Blocks until a stop is requested.</summary>
    public void Wait() => _requested.Wait();

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _requested.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        Request();
    }
}
