using System.Diagnostics;
using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace P0fSharp.Host.Live;

/// <summary>
/// <c>-d</c>: a .NET process cannot fork, so the parent starts a copy of itself that runs
/// the daemon and reports back through an inherited pipe once its capture, log and socket
/// are open. The parent then prints p0f's farewell and exits 0; if the child dies during
/// start-up its own error message has already reached the terminal and the parent exits 1.
/// </summary>
internal static partial class Daemonizer
{
    private const string ChildVariable = "P0FSHARP_DAEMON_READY_FD";

    /// <summary>True in the re-launched child.</summary>
    public static bool IsChild => Environment.GetEnvironmentVariable(ChildVariable) != null;

    public static int LaunchChild(string[] args)
    {
        using var ready = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        var psi = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            // Only a framework-dependent build runs under the dotnet host (Native AOT has no
            // assembly files, so Assembly.Location cannot be used).
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "p0fsharp.dll"));
        }

        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[ChildVariable] = ready.GetClientHandleAsString();
        using var child = Process.Start(psi)!;
        ready.DisposeLocalCopyOfClientHandle();

        int b = ready.ReadByte();
        if (b != 'R')
        {
            child.WaitForExit(5000);
            return 1;
        }

        bool stderrTerminal = !Console.IsErrorRedirected;
        Console.Out.WriteLine($"[+] Daemon process created, PID {child.Id} (stderr {(stderrTerminal ? "not kept" : "kept as-is")}).");
        Console.Out.WriteLine();
        Console.Out.WriteLine("Good luck, you're on your own now!");
        Console.Out.Flush();
        return 0;
    }

    /// <summary>
    /// In the child, once everything is open: detach from the terminal the way p0f does and
    /// tell the parent we are up.
    /// </summary>
    public static void DetachAndSignalReady()
    {
        string? fd = Environment.GetEnvironmentVariable(ChildVariable);
        if (fd is null)
        {
            return;
        }

        Console.Out.Flush();
        int devNull = open("/dev/null", 2);
        if (devNull >= 0)
        {
            dup2(devNull, 0);
            if (!Console.IsErrorRedirected)
            {
                dup2(devNull, 1);
                dup2(devNull, 2);
            }
            else
            {
                dup2(2, 1);
            }
        }

        setsid();
        using var ready = new AnonymousPipeClientStream(PipeDirection.Out, fd);
        ready.WriteByte((byte)'R');
        ready.Flush();
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static partial int dup2(int oldFd, int newFd);

    [LibraryImport("libc")]
    private static partial int setsid();
}
