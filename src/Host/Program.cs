using P0fSharp.Host.CommandLine;

namespace P0fSharp.Host;

public static class Program
{
    public static int Main(string[] args)
    {
        // .NET opens the console streams lazily, by dup()ing the descriptors. A first warning
        // written while the process is out of descriptors (the API's accept() failing with
        // EMFILE) would then hang its thread: open both now.
        _ = Console.Out;
        _ = Console.Error;
        Live.Journald.Install();
        var console = new ConsoleReporter();
        P0fOptions options;
        try
        {
            options = P0fCommandLine.Parse(args);
            if (!options.ShowHelp && !options.ShowVersion)
            {
                options = P0fConfiguration.Apply(options);
            }
        }
        catch (P0fFatalException e) when (e.ShowUsage)
        {
            console.Banner();
            Console.Error.WriteLine($"p0fsharp: {e.Message}");
            Console.Error.WriteLine(P0fCommandLine.Usage);
            return 1;
        }
        catch (P0fFatalException e)
        {
            console.Banner();
            console.Fatal(e);
            return 1;
        }

        if (options.ShowHelp)
        {
            Console.Out.WriteLine(P0fCommandLine.Usage);
            return 0;
        }

        if (options.ShowVersion)
        {
            Console.Out.WriteLine(ConsoleReporter.BannerText);
            return 0;
        }

        if (options.Daemon && !Live.Daemonizer.IsChild)
        {
            console.Banner();
            if (options.User is null)
            {
                console.Note("Consider specifying -u in daemon mode (see README).");
            }

            return Live.Daemonizer.LaunchChild(args);
        }

        if (!Live.Daemonizer.IsChild)
        {
            console.Banner();
        }

        try
        {
            return Runner.Run(options, console);
        }
        catch (P0fFatalException e)
        {
            console.Fatal(e);
            return 1;
        }
    }
}
