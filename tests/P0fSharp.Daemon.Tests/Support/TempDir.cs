using System.Security.Cryptography;

namespace P0fSharp.Daemon.Tests.Support;

/// <summary>A fresh directory under /tmp with a short name (socket paths must fit sun_path).</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine("/tmp", "p0fs-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant());
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>An empty JSON configuration: passed as --config so a host-wide /etc/p0fsharp/p0fsharp.json never leaks into a test.</summary>
    public string EmptyConfig()
    {
        string path = File("empty.json");
        if (!System.IO.File.Exists(path))
        {
            System.IO.File.WriteAllText(path, "{}\n");
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
