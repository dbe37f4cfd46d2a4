using P0fSharp.Host.CommandLine;

namespace P0fSharp.Host;

/// <summary>p0f's start-up chatter on stdout and its warnings and aborts on stderr.</summary>
public sealed class ConsoleReporter
{
    public const string BannerText = "--- p0fsharp 0.1 (p0f 3.09b compatible) ---";

    private bool _bannerShown;

    public bool Quiet { get; set; }

    public void Banner()
    {
        if (_bannerShown)
        {
            return;
        }

        _bannerShown = true;
        Console.Out.WriteLine(BannerText);
        Console.Out.WriteLine();
        Console.Out.Flush();
    }

    public void Info(string text)
    {
        if (!Quiet)
        {
            Console.Out.WriteLine($"[+] {text}");
        }
    }

    public void Note(string text)
    {
        if (!Quiet)
        {
            Console.Out.WriteLine($"[!] {text}");
        }
    }

    public void Warn(string text)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"[!] WARNING: {text}");
    }

    public void Fatal(P0fFatalException e)
    {
        // p0f's FATAL/PFATAL always name a location and end with an empty line; ours names the
        // stage or file:line instead of a C function, which the README lists as a difference.
        Console.Out.Flush();
        string location = e.Location ?? "p0fsharp start-up";
        if (e.OsMessage != null)
        {
            Console.Error.WriteLine($"[-] SYSTEM ERROR : {e.Message}");
            Console.Error.WriteLine($"        Location : {location}");
            Console.Error.WriteLine($"      OS message : {e.OsMessage}");
        }
        else
        {
            Console.Error.WriteLine($"[-] PROGRAM ABORT : {e.Message}");
            Console.Error.WriteLine($"         Location : {location}");
        }

        Console.Error.WriteLine();
        Console.Error.Flush();
    }
}
