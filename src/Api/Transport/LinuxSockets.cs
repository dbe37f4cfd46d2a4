using System.Runtime.InteropServices;

namespace P0fSharp.Api.Transport;

/// <summary>
/// The libc calls of the API transport on raw descriptors (no <see cref="System.Net.Sockets.Socket"/>
/// object or async machinery per connection): blocking accept / recv / send for the connection
/// threads, shutdown to end them, poll and an eventfd for the overflow watch.
/// </summary>
internal static unsafe partial class LinuxSockets
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;
    public const int ECONNABORTED = 103;

    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int MsgNosignal = 0x4000;
    private const int ShutRdwr = 2;
    private const short PollIn = 0x001;

    public static int LastError => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    public static int CreateEventFd() => eventfd(0, EfdCloexec | EfdNonblock);

    /// <summary>
    /// A close-on-exec descriptor for the next pending connection, or -1 (errno set). It is
    /// blocking whatever the listener's mode: Linux does not pass O_NONBLOCK on to it.
    /// </summary>
    public static int Accept(int listener) => accept4(listener, null, null, SockCloexec);

    /// <summary>Waits for data; 0 at end of stream (also after <see cref="ShutdownBoth"/>).</summary>
    public static nint Receive(int fd, byte* buffer, int length) => recv(fd, buffer, (nuint)length, 0);

    /// <summary>Waits for room; never raises SIGPIPE (a vanished peer is an EPIPE return).</summary>
    public static nint Send(int fd, byte* buffer, int length) => send(fd, buffer, (nuint)length, MsgNosignal);

    /// <summary>Ends both directions: a thread blocked in recv or send on <paramref name="fd"/> returns at once.</summary>
    public static void ShutdownBoth(int fd) => _ = shutdown(fd, ShutRdwr);

    public static void Signal(int eventFd)
    {
        ulong one = 1;
        _ = write(eventFd, &one, sizeof(ulong));
    }

    public static void DrainSignal(int eventFd)
    {
        ulong value;
        _ = read(eventFd, &value, sizeof(ulong));
    }

    /// <summary>
    /// Waits until <paramref name="wakeFd"/> or, when it is not -1, <paramref name="listenerFd"/>
    /// is readable, or <paramref name="timeoutMilliseconds"/> pass (-1: no limit), and says which
    /// woke. Returns poll's result: -1 with errno set on failure.
    /// </summary>
    public static int WaitReadable(int wakeFd, int listenerFd, int timeoutMilliseconds, out bool wakeReadable, out bool listenerReadable)
    {
        PollFd* fds = stackalloc PollFd[2];
        fds[0] = new PollFd { Fd = wakeFd, Events = PollIn };
        fds[1] = new PollFd { Fd = listenerFd, Events = PollIn };
        int n = poll(fds, listenerFd < 0 ? 1u : 2u, timeoutMilliseconds);
        wakeReadable = n > 0 && fds[0].Revents != 0;
        listenerReadable = n > 0 && listenerFd >= 0 && fds[1].Revents != 0;
        return n;
    }

    /// <summary>Waits until <paramref name="fd"/> is readable (for a listener: a connection waits, or it was shut down).</summary>
    public static void WaitReadable(int fd)
    {
        PollFd p = new() { Fd = fd, Events = PollIn };
        _ = poll(&p, 1, -1);
    }

    /// <summary>Whether a connection waits on the listener, without accepting it.</summary>
    public static bool IsReadable(int fd)
    {
        PollFd p = new() { Fd = fd, Events = PollIn };
        return poll(&p, 1, 0) > 0 && (p.Revents & PollIn) != 0;
    }

    public static void Close(int fd) => _ = close(fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int eventfd(uint initialValue, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int accept4(int fd, void* address, void* addressLength, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int shutdown(int fd, int how);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
