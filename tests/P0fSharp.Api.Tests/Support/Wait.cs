using System.Diagnostics;

namespace P0fSharp.Api.Tests.Support;

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds or the time is up.</summary>
    public static bool Until(Func<bool> condition, int timeoutMs = 10_000)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }
}
