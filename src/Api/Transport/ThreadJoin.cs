using System.Diagnostics;

namespace P0fSharp.Api.Transport;

/// <summary>Waiting for the server's threads against one shutdown deadline shared by all of them.</summary>
internal static class ThreadJoin
{
    /// <summary>
    /// Waits for <paramref name="thread"/> until <paramref name="deadline"/> (a
    /// <see cref="Stopwatch"/> timestamp); true if it ended, or is the calling thread (which
    /// cannot wait for itself, e.g. a warning sink that disposes the server), or was never started.
    /// </summary>
    public static bool Before(Thread thread, long deadline)
    {
        if (thread == Thread.CurrentThread || (thread.ThreadState & System.Threading.ThreadState.Unstarted) != 0)
        {
            return true;
        }

        long left = deadline - Stopwatch.GetTimestamp();
        int ms = left <= 0 ? 0 : (int)Math.Min(int.MaxValue, left * 1000 / Stopwatch.Frequency);
        return thread.Join(ms);
    }
}
