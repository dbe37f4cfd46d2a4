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
    private int _busy;

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

    public void Reload()
    {
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            return;
        }

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
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public void Dispose() => _registration.Dispose();
}
