using System.Runtime.InteropServices;
using P0fSharp.Engine;
using P0fSharp.Signatures;

namespace P0fSharp.Host.Live;

/// <summary>
/// SIGHUP reloads the signature database off the capture thread and swaps it in atomically;
/// host state is untouched. A broken file keeps the old database and says why.
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
            _engine.Database = database;
            Reloads++;
            Console.Error.WriteLine($"[+] Reloaded {database.SignatureCount} signatures from '{_path}'.");
        }
        catch (SignatureDatabaseException e)
        {
            _console.Warn($"Reload of '{_path}' failed, keeping the loaded database: {e.Message}");
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public void Dispose() => _registration.Dispose();
}
