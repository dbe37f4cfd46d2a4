using System.Net.Sockets;
using P0fSharp.Api.Tests.Support;
using Xunit;

namespace P0fSharp.Api.Tests;

/// <summary>Socket file rules (spec §7.1) and the deliberate stale/live distinction.</summary>
public sealed class SocketPathTests
{
    private static ApiServer NewServer(string path, UnixFileMode? mode = null, string? group = null) =>
        new(new ApiServerOptions
        {
            SocketPath = path,
            FileMode = mode ?? ApiServerOptions.DefaultFileMode,
            Group = group,
        }, FakeLookup.Standard());

    private static void AssertServes(string path)
    {
        using var c = TestClient.Connect(path);
        Assert.Equal(ApiStatus.Ok, Queries.Status(c.Ask(Queries.For("127.0.0.5"))));
    }

    /// <summary>Leaves a socket inode nobody listens on, like a p0f killed with SIGKILL.</summary>
    private static void MakeStaleSocket(string path)
    {
        string scratch = path + ".tmp";
        using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            s.Bind(new UnixDomainSocketEndPoint(scratch));
            s.Listen(1);
            File.Move(scratch, path); // .NET unlinks the bound name on Dispose; the moved inode stays
        }

        Assert.True(UnixFile.Stat(path).IsSocket);
    }

    [Fact]
    public void Default_file_mode_is_0666()
    {
        using var dir = new TempSocketDir();
        using var server = NewServer(dir.File());
        server.Start();
        Assert.Equal(0x1B6u, UnixFile.Stat(dir.File()).Mode);
    }

    [Fact]
    public void Configured_mode_0660_and_group_are_applied()
    {
        using var dir = new TempSocketDir();
        string probe = dir.File("probe");
        File.WriteAllText(probe, "");
        uint myGid = UnixFile.Stat(probe).Gid;
        // root may give the file to any group; anyone may give it to their own group
        (string group, uint gid) = myGid == 0 && GroupIdOf("daemon") is uint d ? ("daemon", d) : (myGid.ToString(System.Globalization.CultureInfo.InvariantCulture), myGid);

        using var server = NewServer(dir.File(), (UnixFileMode)0x1B0, group);
        server.Start();
        UnixFile.Status st = UnixFile.Stat(dir.File());
        Assert.Equal(0x1B0u, st.Mode);
        Assert.Equal(gid, st.Gid);
        AssertServes(dir.File());

        // the process umask is restored after bind
        uint now = UnixFile.SetUmask(0x12u);
        UnixFile.SetUmask(now);
        Assert.NotEqual(0x1FFu ^ 0x1B0u, now);
    }

    [Fact]
    public void Unknown_group_is_refused_and_leaves_nothing_behind()
    {
        using var dir = new TempSocketDir();
        using var server = NewServer(dir.File(), group: "no-such-group-p0fsharp");
        var e = Assert.Throws<ApiSocketException>(server.Start);
        Assert.Equal("Group 'no-such-group-p0fsharp' for the API socket not found.", e.Message);
        Assert.False(File.Exists(dir.File()));
    }

    [Fact]
    public void Stale_socket_file_is_replaced()
    {
        using var dir = new TempSocketDir();
        MakeStaleSocket(dir.File());
        using var server = NewServer(dir.File());
        server.Start();
        AssertServes(dir.File());
    }

    [Fact]
    public void Live_socket_is_refused_and_left_alone()
    {
        using var dir = new TempSocketDir();
        using var first = NewServer(dir.File());
        first.Start();
        using var second = NewServer(dir.File());
        var e = Assert.Throws<ApiSocketException>(second.Start);
        Assert.Equal($"'{dir.File()}' is in use by a running server (another p0f?); not taking it over.", e.Message);
        Assert.False(second.IsListening);
        second.Dispose();
        AssertServes(dir.File());
    }

    [Fact]
    public void Live_socket_with_a_full_backlog_is_still_recognised_as_live()
    {
        using var dir = new TempSocketDir();
        using var busy = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        busy.Bind(new UnixDomainSocketEndPoint(dir.File()));
        busy.Listen(0);
        var pending = new List<Socket>();
        try
        {
            // fill the backlog (nobody accepts) until a non-blocking connect would block
            bool full = false;
            for (int i = 0; i < 8 && !full; i++)
            {
                var c = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
                pending.Add(c);
                try
                {
                    c.Connect(new UnixDomainSocketEndPoint(dir.File()));
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
                {
                    full = true;
                }
            }

            Assert.True(full);
            using var server = NewServer(dir.File());
            var e = Assert.Throws<ApiSocketException>(server.Start);
            Assert.Contains("is in use by a running server", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            pending.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public void Existing_non_socket_is_refused_with_p0fs_message()
    {
        using var dir = new TempSocketDir();
        File.WriteAllText(dir.File(), "not a socket");
        using var server = NewServer(dir.File());
        var e = Assert.Throws<ApiSocketException>(server.Start);
        Assert.Equal($"'{dir.File()}' exists but is not a socket.", e.Message);
        Assert.Equal("not a socket", File.ReadAllText(dir.File()));

        Directory.CreateDirectory(dir.File("adir"));
        using var onDir = NewServer(dir.File("adir"));
        Assert.Equal($"'{dir.File("adir")}' exists but is not a socket.", Assert.Throws<ApiSocketException>(onDir.Start).Message);
    }

    [Fact]
    public void Path_of_108_bytes_or_more_is_refused_107_is_fine()
    {
        using var dir = new TempSocketDir();
        string prefix = dir.Path + "/";
        string ok = prefix + new string('a', 107 - prefix.Length);
        string tooLong = prefix + new string('b', 108 - prefix.Length);
        Assert.Equal(107, ok.Length);

        using var bad = NewServer(tooLong);
        Assert.Equal("API socket filename is too long for sockaddr_un (blame Unix).", Assert.Throws<ApiSocketException>(bad.Start).Message);
        Assert.False(File.Exists(tooLong));

        using var good = NewServer(ok);
        good.Start();
        AssertServes(ok);
    }

    [Fact]
    public void Missing_directory_reports_the_failed_bind_with_the_os_message()
    {
        using var dir = new TempSocketDir();
        string path = dir.File("missing/api.sock");
        using var server = NewServer(path);
        var e = Assert.Throws<ApiSocketException>(server.Start);
        Assert.Equal($"bind() on '{path}' failed.", e.Message);
        Assert.False(string.IsNullOrEmpty(e.OsMessage));
    }

    [Fact]
    public void Dispose_does_not_remove_a_socket_file_that_is_no_longer_its_own()
    {
        using var dir = new TempSocketDir();
        var server = NewServer(dir.File());
        server.Start();
        File.Move(dir.File(), dir.File("moved.sock"));
        MakeStaleSocket(dir.File());
        ulong foreign = UnixFile.Stat(dir.File()).Inode;
        server.Dispose();
        Assert.Equal(foreign, UnixFile.Stat(dir.File()).Inode);
    }

    private static uint? GroupIdOf(string name)
    {
        foreach (string line in File.ReadLines("/etc/group"))
        {
            string[] f = line.Split(':');
            if (f.Length >= 3 && f[0] == name && uint.TryParse(f[2], out uint gid))
            {
                return gid;
            }
        }

        return null;
    }
}
