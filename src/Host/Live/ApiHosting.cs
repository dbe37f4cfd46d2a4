using P0fSharp.Engine;
using P0fSharp.Host.CommandLine;

namespace P0fSharp.Host.Live;

/// <summary>Opens the p0f v3 API socket when <c>-s</c> is given.</summary>
internal static class ApiHosting
{
    public static IDisposable? Open(P0fOptions options, TrafficEngine engine, ConsoleReporter console)
    {
        if (options.ApiSocket is null)
        {
            return null;
        }

        throw new P0fFatalException("The API socket (-s) is not wired into this build yet.");
    }
}
