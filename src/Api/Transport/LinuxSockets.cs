using System.Runtime.InteropServices;

namespace P0fSharp.Api.Transport;

/// <summary>
/// The libc calls of the API event loop: epoll, an eventfd for wake-ups, and non-blocking
/// accept / recv / send on raw descriptors (no <see cref="System.Net.Sockets.Socket"/> object
/// or async machinery per connection).
/// </summary>
internal static unsafe partial class LinuxSockets
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;

    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;

    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCtlMod = 3;
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;
    private const int SockNonblock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int MsgDontwait = 0x40;
    private const int MsgNosignal = 0x4000;
    private const short PollIn = 0x001;

    /// <summary>
    /// Size of <c>struct epoll_event</c>: packed (12 bytes) on x86-64, naturally aligned (16)
    /// elsewhere; the 64-bit data word follows the 32-bit event mask.
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int EpollDataOffset = EpollEventSize == 12 ? 4 : 8;

    public static int LastError => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    public static int CreateEpoll() => epoll_create1(EpollCloexec);

    public static int CreateEventFd() => eventfd(0, EfdCloexec | EfdNonblock);

    public static int Add(int epoll, int fd, uint events, ulong token) => Control(epoll, EpollCtlAdd, fd, events, token);

    public static int Modify(int epoll, int fd, uint events, ulong token) => Control(epoll, EpollCtlMod, fd, events, token);

    public static int Remove(int epoll, int fd) => Control(epoll, EpollCtlDel, fd, 0, 0);

    public static int Wait(int epoll, byte* events, int maxEvents, int timeoutMilliseconds) =>
        epoll_wait(epoll, events, maxEvents, timeoutMilliseconds);

    public static uint EventMask(byte* events, int i) => *(uint*)(events + (i * EpollEventSize));

    public static ulong EventToken(byte* events, int i) => *(ulong*)(events + (i * EpollEventSize) + EpollDataOffset);

    /// <summary>A non-blocking, close-on-exec descriptor for the next pending connection, or -1 (errno set).</summary>
    public static int Accept(int listener) => accept4(listener, null, null, SockNonblock | SockCloexec);

    public static nint Receive(int fd, byte* buffer, int length) => recv(fd, buffer, (nuint)length, MsgDontwait);

    /// <summary>Never raises SIGPIPE: a vanished peer is an EPIPE return.</summary>
    public static nint Send(int fd, byte* buffer, int length) => send(fd, buffer, (nuint)length, MsgDontwait | MsgNosignal);

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

    /// <summary>Whether a connection waits on the listener, without accepting it.</summary>
    public static bool IsReadable(int fd)
    {
        PollFd p = new() { Fd = fd, Events = PollIn };
        return poll(&p, 1, 0) > 0 && (p.Revents & PollIn) != 0;
    }

    public static void Close(int fd) => _ = close(fd);

    private static int Control(int epoll, int op, int fd, uint events, ulong token)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollDataOffset) = token;
        return epoll_ctl(epoll, op, fd, ev);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int eventfd(uint initialValue, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int accept4(int fd, void* address, void* addressLength, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
