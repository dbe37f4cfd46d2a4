using System.Runtime.InteropServices;
using P0fSharp.Host.CommandLine;

namespace P0fSharp.Host.Privileges;

/// <summary>
/// <c>-u user</c>: switch to an unprivileged account once the capture, log and API socket
/// are open, with p0f's checks and messages. Unlike p0f there is no chroot: the .NET runtime
/// loads assemblies and native libraries lazily, which a chroot would break (see README).
/// </summary>
internal static partial class PrivilegeDrop
{
    public static void SwitchTo(string user, ConsoleReporter console)
    {
        if (!TryLookup(user, out uint uid, out uint gid, out string home))
        {
            throw new P0fFatalException($"User '{user}' not found.");
        }

        if (home == "/" || home.Length == 0)
        {
            throw new P0fFatalException($"User '{user}' must have a dedicated home directory.");
        }

        if (uid == 0 || gid == 0)
        {
            throw new P0fFatalException($"User '{user}' must be non-root.");
        }

        if (initgroups(user, gid) != 0)
        {
            throw SystemError($"initgroups() for '{user}' failed.");
        }

        // glibc applies set*id to every thread of the process, runtime threads included.
        if (setgid(gid) != 0)
        {
            throw SystemError("setgid() failed.");
        }

        if (setuid(uid) != 0)
        {
            throw SystemError("setuid() failed.");
        }

        if (geteuid() != uid || getegid() != gid)
        {
            throw new P0fFatalException("Inconsistent euid / egid after dropping privileges.");
        }

        console.Info($"Privileges dropped: uid {uid}, gid {gid} (no chroot).");
    }

    private static P0fFatalException SystemError(string message) =>
        new(message, osMessage: Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));

    private static unsafe bool TryLookup(string user, out uint uid, out uint gid, out string home)
    {
        uid = gid = 0;
        home = string.Empty;
        Passwd entry;
        Passwd* result = null;
        byte[] buffer = new byte[16384];
        fixed (byte* b = buffer)
        {
            int rc = getpwnam_r(user, &entry, b, (nuint)buffer.Length, &result);
            if (rc != 0 || result == null)
            {
                return false;
            }

            uid = entry.Uid;
            gid = entry.Gid;
            home = Marshal.PtrToStringUTF8((nint)entry.Dir) ?? string.Empty;
            return true;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Dir;
        public byte* Shell;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int getpwnam_r(string name, Passwd* pwd, byte* buffer, nuint size, Passwd** result);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int initgroups(string user, uint group);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setgid(uint gid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setuid(uint uid);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc")]
    private static partial uint getegid();
}
