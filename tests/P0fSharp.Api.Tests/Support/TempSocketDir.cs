namespace P0fSharp.Api.Tests.Support;

/// <summary>A fresh directory under /tmp for socket files (short enough for sun_path).</summary>
internal sealed class TempSocketDir : IDisposable
{
    public TempSocketDir()
    {
        Path = System.IO.Path.Combine("/tmp", "p0fapi-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name = "api.sock") => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
