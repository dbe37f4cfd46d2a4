using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace P0fSharp.Api;

/// <summary>
/// The few libc calls the socket set-up needs and .NET has no managed form of: the file
/// type and identity of a path (<c>statx</c>, whose layout is the same on every Linux
/// architecture), <c>umask</c> around bind, <c>chown</c> and group-name lookup.
/// </summary>
internal static unsafe partial class UnixFile
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxMode = 0x2;
    private const uint StatxGid = 0x10;
    private const uint StatxIno = 0x100;
    private const int StatxBufferSize = 256;
    private const int ModeOffset = 28;
    private const int GidOffset = 24;
    private const int InodeOffset = 32;
    private const int DevMajorOffset = 136;
    private const int DevMinorOffset = 140;
    private const ushort TypeMask = 0xF000;
    private const ushort TypeSocket = 0xC000;
    private const int ENOENT = 2;
    private const ushort AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int SockaddrUnSize = 110;

    /// <summary>What <c>stat()</c> (following symbolic links) says about a path.</summary>
    internal readonly record struct Status(bool Exists, bool IsSocket, uint Mode, uint Gid, ulong Device, ulong Inode);

    /// <summary>stat() of <paramref name="path"/>; a missing path gives <c>Exists = false</c>.</summary>
    /// <exception cref="ApiSocketException">Any error other than a missing path.</exception>
    internal static Status Stat(string path)
    {
        byte* buffer = stackalloc byte[StatxBufferSize];
        new Span<byte>(buffer, StatxBufferSize).Clear();
        if (statx(AtFdCwd, path, 0, StatxType | StatxMode | StatxGid | StatxIno, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == ENOENT)
            {
                return default;
            }

            throw new ApiSocketException($"stat() on '{path}' failed.", Marshal.GetPInvokeErrorMessage(errno));
        }

        ushort mode = *(ushort*)(buffer + ModeOffset);
        uint gid = *(uint*)(buffer + GidOffset);
        ulong inode = *(ulong*)(buffer + InodeOffset);
        ulong device = ((ulong)*(uint*)(buffer + DevMajorOffset) << 32) | *(uint*)(buffer + DevMinorOffset);
        return new Status(true, (mode & TypeMask) == TypeSocket, mode & 0xFFFu, gid, device, inode);
    }

    /// <summary>Sets the process umask and returns the previous one (process-wide!).</summary>
    internal static uint SetUmask(uint mask) => umask(mask);

    /// <summary>chown(path, -1, gid).</summary>
    internal static void ChangeGroup(string path, uint gid)
    {
        if (chown(path, uint.MaxValue, gid) != 0)
        {
            throw new ApiSocketException($"chown() on '{path}' failed.", Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>chmod(path, mode).</summary>
    internal static void ChangeMode(string path, uint mode)
    {
        if (chmod(path, mode) != 0)
        {
            throw new ApiSocketException($"chmod() on '{path}' failed.", Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), blocking.</summary>
    internal static SafeSocketHandle CreateStreamSocket()
    {
        int fd = socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0)
        {
            throw new ApiSocketException("socket(PF_UNIX) failed.", Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }

        return new SafeSocketHandle(fd, ownsHandle: true);
    }

    /// <summary>bind() to a filesystem path (the caller checked it fits sun_path).</summary>
    internal static void Bind(SafeSocketHandle socket, string path)
    {
        byte* address = stackalloc byte[SockaddrUnSize];
        var span = new Span<byte>(address, SockaddrUnSize);
        span.Clear();
        MemoryMarshal.Write(span, AfUnix); // sa_family_t, host order

        int n = Encoding.UTF8.GetBytes(path, span[2..^1]);
        if (bind(socket, address, (uint)(2 + n + 1)) != 0)
        {
            throw new ApiSocketException($"bind() on '{path}' failed.", Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
    }

    internal static void Listen(SafeSocketHandle socket, string path, int backlog)
    {
        if (listen(socket, backlog) != 0)
        {
            throw new ApiSocketException($"listen() on '{path}' failed.", Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        }
    }

    /// <summary>A group given by name or as a decimal number.</summary>
    internal static bool TryResolveGroup(string group, out uint gid)
    {
        if (group.Length > 0 && group.All(char.IsAsciiDigit) && uint.TryParse(group, out gid))
        {
            return true;
        }

        gid = 0;
        GroupEntry entry;
        GroupEntry* result = null;
        for (int size = 4096; size <= 1 << 20; size *= 4)
        {
            byte[] scratch = new byte[size];
            fixed (byte* b = scratch)
            {
                int rc = getgrnam_r(group, &entry, b, (nuint)size, &result);
                if (rc == 34)
                {
                    continue; // ERANGE: a group with a long member list
                }

                if (rc != 0 || result == null)
                {
                    return false;
                }

                gid = entry.Gid;
                return true;
            }
        }

        return false;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct GroupEntry
    {
        public byte* Name;
        public byte* Password;
        public uint Gid;
        public byte** Members;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(SafeSocketHandle socket, byte* address, uint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int listen(SafeSocketHandle socket, int backlog);

    [LibraryImport("libc")]
    private static partial uint umask(uint mask);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chmod(string path, uint mode);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int getgrnam_r(string name, GroupEntry* entry, byte* buffer, nuint size, GroupEntry** result);
}
