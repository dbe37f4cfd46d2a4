using System.Runtime.InteropServices;

namespace P0fSharp.Rspamd.Tests.Support;

/// <summary>The few libc calls .NET has no managed form of.</summary>
internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    private const int CLONE_NEWNET = 0x40000000;

    public static bool IsRoot => geteuid() == 0;

    /// <summary>Sends a signal; false when the process no longer exists.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    public static bool IsAlive(int pid) => kill(pid, 0) == 0 && !IsZombie(pid);

    /// <summary>Moves the calling thread into the network namespace at <paramref name="path"/>.</summary>
    public static void EnterNetworkNamespace(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (setns((int)handle.DangerousGetHandle(), CLONE_NEWNET) != 0)
        {
            throw new IOException($"setns({path}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            // "pid (comm) S ..." - the state follows the last ')'
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
