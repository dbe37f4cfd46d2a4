using BenchmarkDotNet.Running;

namespace P0fSharp.Benchmarks;

/// <summary>
/// <c>P0fSharp.Benchmarks [BenchmarkDotNet arguments]</c> runs the hot-path micro-benchmarks
/// (e.g. <c>--filter '*' --job short</c>);
/// <c>P0fSharp.Benchmarks hostmem CAPTURE MAXHOSTS</c> measures managed memory per tracked host.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "hostmem")
        {
            return HostMemoryProbe.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
