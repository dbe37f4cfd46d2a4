using System.Text;
using P0fSharp.Host.CommandLine;

namespace P0fSharp.Host.Output;

/// <summary>
/// p0f's <c>-o</c> file: appended to, created 0600, refused when it is not a regular file
/// or another process holds its lock. Write failures (a full disk) are counted and reported
/// once rather than ending the capture.
/// </summary>
public sealed class LogFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;

    private LogFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    public string Path { get; }

    public long WriteErrors { get; private set; }

    public Action<string>? Warning { get; set; }

    public static LogFile Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new P0fFatalException($"Cannot open '{path}'.", osMessage: "Is a directory");
        }

        var info = new FileInfo(path);
        if (info.Exists && info.LinkTarget != null)
        {
            throw new P0fFatalException($"Cannot open '{path}'.", osMessage: "Too many levels of symbolic links");
        }

        FileStream stream;
        try
        {
            var fileOptions = new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                // FileShare.None takes an exclusive advisory lock on Unix, as p0f's flock does.
                Share = FileShare.None,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            stream = new FileStream(path, fileOptions);
        }
        catch (IOException e) when (e.HResult == 11 || e.Message.Contains("another process", StringComparison.OrdinalIgnoreCase))
        {
            throw new P0fFatalException($"'{path}' is being used by another process.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new P0fFatalException($"Cannot open '{path}'.", osMessage: e.Message);
        }

        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new P0fFatalException($"'{path}' is not a regular file.");
        }

        return new LogFile(path, stream);
    }

    public void Append(StringBuilder text)
    {
        foreach (var chunk in text.GetChunks())
        {
            var span = chunk.Span;
            int max = Encoding.Latin1.GetMaxByteCount(span.Length);
            if (_used + max > _buffer.Length)
            {
                Flush();
            }

            if (max > _buffer.Length)
            {
                WriteRaw(Encoding.Latin1.GetBytes(span.ToArray()));
                continue;
            }

            _used += Encoding.Latin1.GetBytes(span, _buffer.AsSpan(_used));
        }
    }

    public void Flush()
    {
        if (_used == 0)
        {
            return;
        }

        WriteRaw(_buffer.AsSpan(0, _used));
        _used = 0;
    }

    public void Dispose()
    {
        Flush();
        _stream.Dispose();
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _stream.Write(bytes);
        }
        catch (IOException e)
        {
            WriteErrors++;
            if (WriteErrors == 1)
            {
                Warning?.Invoke($"Unable to write to log file '{Path}': {e.Message} (lines are being dropped).");
            }
        }
    }
}
