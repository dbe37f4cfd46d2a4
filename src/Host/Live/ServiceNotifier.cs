using System.Net.Sockets;
using System.Text;

namespace P0fSharp.Host.Live;

/// <summary>
/// systemd's readiness protocol (<c>sd_notify</c>): when <c>NOTIFY_SOCKET</c> names a unix
/// datagram socket, send <c>READY=1</c> once the capture, log and API socket are open and
/// <c>STOPPING=1</c> when shutting down, each with a <c>STATUS=</c> line.
/// </summary>
/// <remarks>
/// Done here rather than through Microsoft.Extensions.Hosting.Systemd because that package
/// (10.0) only notifies when the parent process is named <c>systemd</c>, so a unit whose
/// ExecStart goes through a wrapper script would never become ready, and its lifetime would
/// stop handling SIGINT under systemd. Notification failures are reported once and never
/// stop the daemon.
/// </remarks>
internal sealed class ServiceNotifier
{
    private const string Variable = "NOTIFY_SOCKET";

    private readonly string? _path;
    private readonly Action<string> _warn;
    private bool _warned;

    public ServiceNotifier(Action<string> warn)
    {
        _warn = warn;
        _path = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } p ? p : null;
    }

    /// <summary>True when a service manager asked for notifications.</summary>
    public bool Enabled => _path != null;

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}\n");

    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={status}\n");

    public void Status(string status) => Send($"STATUS={status}\n");

    private void Send(string message)
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            // '@' names a socket in the abstract namespace (leading NUL).
            string address = _path[0] == '@' ? "\0" + _path[1..] : _path;
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(address));
            socket.Send(Encoding.UTF8.GetBytes(message));
        }
        catch (Exception e) when (e is SocketException or ArgumentException or IOException)
        {
            if (!_warned)
            {
                _warned = true;
                _warn($"Cannot notify the service manager at '{_path}': {e.Message}");
            }
        }
    }
}
