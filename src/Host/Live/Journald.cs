using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace P0fSharp.Host.Live;

/// <summary>
/// journald-friendly console output. When systemd connects stdout or stderr to the journal it
/// sets <c>JOURNAL_STREAM=device:inode</c> of that stream; lines written there then carry a
/// syslog priority prefix (<c>&lt;3&gt;</c> for <c>[-]</c> errors, <c>&lt;4&gt;</c> for
/// <c>[!] WARNING</c>, <c>&lt;5&gt;</c> for other <c>[!]</c> notes, <c>&lt;6&gt;</c> otherwise),
/// which journald turns into the entry's priority and strips. Anywhere else nothing changes.
/// </summary>
internal static unsafe partial class Journald
{
    private const int StatBufferSize = 256;

    /// <summary>True when file descriptor <paramref name="fd"/> is the stream named by JOURNAL_STREAM.</summary>
    public static bool IsJournal(int fd)
    {
        string? stream = Environment.GetEnvironmentVariable("JOURNAL_STREAM");
        if (stream is null)
        {
            return false;
        }

        int colon = stream.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || !ulong.TryParse(stream.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out ulong device)
            || !ulong.TryParse(stream.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
        {
            return false;
        }

        // struct stat starts with st_dev and st_ino (both 64-bit) on x86-64 and arm64 Linux.
        byte* buffer = stackalloc byte[StatBufferSize];
        if (fstat(fd, buffer) != 0)
        {
            return false;
        }

        return *(ulong*)buffer == device && *(ulong*)(buffer + 8) == inode;
    }

    /// <summary>True once <see cref="Install"/> found stdout connected to the journal.</summary>
    public static bool StdoutIsJournal { get; private set; }

    /// <summary>Routes Console.Out / Console.Error through priority-prefixing writers where they are the journal.</summary>
    public static void Install()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        StdoutIsJournal = IsJournal(1);
        if (StdoutIsJournal)
        {
            Console.SetOut(TextWriter.Synchronized(new PrefixWriter(Console.Out)));
        }

        if (IsJournal(2))
        {
            Console.SetError(TextWriter.Synchronized(new PrefixWriter(Console.Error)));
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstat(int fd, byte* buffer);

    /// <summary>Collects a line, then writes it with its priority prefix; empty lines are dropped.</summary>
    private sealed class PrefixWriter : TextWriter
    {
        private readonly TextWriter _inner;
        private readonly StringBuilder _line = new();
        private char _lastPriority = '6';

        public PrefixWriter(TextWriter inner)
        {
            _inner = inner;
        }

        public override Encoding Encoding => _inner.Encoding;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                EmitLine();
                return;
            }

            _line.Append(value);
        }

        public override void Write(string? value)
        {
            if (value is null)
            {
                return;
            }

            foreach (char c in value)
            {
                Write(c);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            for (int i = 0; i < count; i++)
            {
                Write(buffer[index + i]);
            }
        }

        public override void Flush()
        {
            _inner.Flush();
        }

        private void EmitLine()
        {
            if (_line.Length > 0 && _line[^1] == '\r')
            {
                _line.Length--;
            }

            if (_line.Length == 0)
            {
                return; // an empty journal entry says nothing
            }

            char priority = Priority(_line);
            _inner.Write('<');
            _inner.Write(priority);
            _inner.Write('>');
            _inner.Write(_line);
            _inner.Write('\n');
            _inner.Flush();
            _line.Clear();
        }

        private char Priority(StringBuilder line)
        {
            char p;
            if (char.IsWhiteSpace(line[0]))
            {
                p = _lastPriority; // continuation of a multi-line message (Location :, OS message :)
            }
            else if (StartsWith(line, "[-]"))
            {
                p = '3';
            }
            else if (StartsWith(line, "[!] WARNING"))
            {
                p = '4';
            }
            else if (StartsWith(line, "[!]"))
            {
                p = '5';
            }
            else
            {
                p = '6';
            }

            _lastPriority = p;
            return p;
        }

        private static bool StartsWith(StringBuilder line, string prefix)
        {
            if (line.Length < prefix.Length)
            {
                return false;
            }

            for (int i = 0; i < prefix.Length; i++)
            {
                if (line[i] != prefix[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
