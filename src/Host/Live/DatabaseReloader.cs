using System.Runtime.InteropServices;
using P0fSharp.Engine;
using P0fSharp.Signatures;

namespace P0fSharp.Host.Live;

/// <summary>
/// SIGHUP reloads the signature database off the capture thread and swaps it in atomically;
/// host state is untouched. A broken file keeps the old database and says why, and so does a
/// file without signatures replacing one with signatures.
/// (p0f itself treats SIGHUP as a stop request in the foreground.)
/// </summary>
internal sealed class DatabaseReloader : IDisposable
{
    private readonly string _path;
    private readonly TrafficEngine _engine;
    private readonly ConsoleReporter _console;
    private readonly PosixSignalRegistration _registration;
    private int _pending;

    public DatabaseReloader(string path, TrafficEngine engine, ConsoleReporter console)
    {
        _path = path;
        _engine = engine;
        _console = console;
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            ThreadPool.QueueUserWorkItem(_ => Reload());
        });
    }

    public int Reloads { get; private set; }

    /// <summary>
    /// Reloads now, or, when a reload is already running, makes it run once more when done:
    /// a SIGHUP sent after the file changed must never be swallowed by one still in progress.
    /// </summary>
    public void Reload()
    {
        if (Interlocked.Increment(ref _pending) != 1)
        {
            return;
        }

        int seen;
        do
        {
            seen = Volatile.Read(ref _pending);
            ReloadOnce();
        }
        while (Interlocked.Add(ref _pending, -seen) != 0);
    }

    private void ReloadOnce()
    {
        try
        {
            var database = SignatureDatabase.Load(_path);
            if (database.SignatureCount == 0 && _engine.Database.SignatureCount > 0)
            {
                // An empty file is what a half-finished copy or a truncating editor leaves
                // behind; swapping it in would silently stop all fingerprinting.
                _console.Warn($"Reload of '{_path}' refused, keeping the loaded database: no signatures found.");
                return;
            }

            _engine.Database = database;
            Reloads++;
            Console.Error.WriteLine($"[+] Reloaded {database.SignatureCount} signatures from '{_path}'.");
        }
        catch (SignatureDatabaseException e)
        {
            string why = e.IsSystemError
                ? $"{e.Reason.TrimEnd('\n')} ({e.OsMessage ?? "unknown error"})"
                : e.Line > 0 ? $"{e.FileName}:{e.Line}: {e.Reason.TrimEnd('\n')}" : e.Reason.TrimEnd('\n');
            _console.Warn($"Reload of '{_path}' failed, keeping the loaded database: {why}");
        }
    }

    public void Dispose() => _registration.Dispose();
}
