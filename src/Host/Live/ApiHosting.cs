using P0fSharp.Api;
using P0fSharp.Engine;
using P0fSharp.Host.CommandLine;

namespace P0fSharp.Host.Live;

/// <summary>Opens the p0f v3 API socket when <c>-s</c> is given.</summary>
internal static class ApiHosting
{
    public static ApiServer? Open(P0fOptions options, TrafficEngine engine, ConsoleReporter console)
    {
        if (options.ApiSocket is null)
        {
            return null;
        }

        var server = new ApiServer(
            new ApiServerOptions
            {
                SocketPath = options.ApiSocket,
                MaxClients = options.ApiMaxConnections,
                FileMode = (UnixFileMode)options.SocketMode,
                Group = options.SocketGroup,
            },
            engine,
            console.Warn);
        try
        {
            server.Start();
        }
        catch (ApiSocketException e)
        {
            server.Dispose();
            throw new P0fFatalException(e.Message, osMessage: e.OsMessage) { Location = options.ApiSocket };
        }

        console.Info($"Listening on API socket '{options.ApiSocket}' (max {options.ApiMaxConnections} clients).");
        return server;
    }

    /// <summary>
    /// After an offline run with <c>-s</c> (p0f refuses the pair): keep answering from the state
    /// the file built until SIGINT, SIGTERM or SIGHUP. <paramref name="stop"/> was registered
    /// before the socket opened, so a signal during the analysis ends the run cleanly after it.
    /// </summary>
    public static void ServeUntilStopped(ApiServer server, ConsoleReporter console, StopSignals stop)
    {
        using var hup = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGHUP, c =>
            {
                c.Cancel = true;
                stop.Request();
            });
        console.Info($"Capture file done; still answering API queries on '{server.SocketPath}' until stopped.");
        Console.Out.Flush();
        var notifier = new ServiceNotifier(console.Warn);
        notifier.Ready($"Capture file done; answering API queries on '{server.SocketPath}'.");
        stop.Wait();
        notifier.Stopping("Shutting down.");
        console.Warn("User-initiated shutdown.");
    }
}
