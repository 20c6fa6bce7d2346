using Lucid.Cli.Sshd;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// A session's program starts in the same state whichever way sshd starts it: directly with posix_spawn (sshd
/// runs as the session's user, or as root lending the spawning thread the user's credentials) or through the exec
/// trampoline (the fallback, taken when the direct start fails: no home directory, say). The state checked: argv[0], working directory, no blocked or ignored signals, session leader, controlling
/// terminal only with a pty, no descriptors above 2, no runtime settings in the environment, the exit code.
/// Signals are checked up to 31: glibc's posix_spawn leaves its own two (32 and 33) ignored in every child it
/// starts, and cannot be told otherwise; programs that use them install their handlers.
/// </summary>
public sealed class SshdSessionStartTests(LucidSshdFixture fixture) : IClassFixture<LucidSshdFixture>
{
    private const string Probe =
        "echo \"$0\"; pwd; " +
        "for k in SigBlk SigIgn; do m=$(awk -v k=$k: '$1 == k { print $2 }' /proc/self/status); echo $k $(( 0x$m & 0x7fffffff )); done; " +
        "[ \"$(cut -d' ' -f6 /proc/$$/stat)\" = $$ ] && echo leader; " +
        "(: </dev/tty) 2>/dev/null && echo ctty || echo no-ctty; " +
        "for f in $(seq 3 64); do [ -e /proc/$$/fd/$f ] && echo fd $f open; done; " +
        "env | grep -c '^DOTNET_'; exit 3";

    private static string Expected(string home, bool terminal) =>
        $"bash\n{home}\nSigBlk 0\nSigIgn 0\nleader\n{(terminal ? "ctty" : "no-ctty")}\n0\n";

    [Fact]
    public async Task As_another_user_a_session_starts_clean()
    {
        var r = await fixture.Server.SshAsync(Probe);
        Assert.Equal(3, r.ExitCode);
        Assert.Equal(Expected($"/home/{LucidSshd.TestUser}", terminal: false), r.StdOut);

        var tty = await fixture.Server.SshAsync(Probe, options: ["-tt"]);
        Assert.Equal(3, tty.ExitCode);
        Assert.Equal(Expected($"/home/{LucidSshd.TestUser}", terminal: true), tty.StdOut.Replace("\r\n", "\n"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Started_directly_a_session_starts_the_same_way(bool terminal)
    {
        // This test process is the "sshd": the session's user is the one it runs as, so no trampoline is needed.
        var home = Directory.CreateTempSubdirectory("lucid-direct-").FullName;
        try
        {
            var self = Cli.Platform.Users.Current;
            var user = new SshServerUser(self.Name, self.Uid, self.Gid, home, "/bin/bash", []);
            var pty = terminal ? new SshPtyRequest("xterm", 80, 24) : null;
            await using var process = SshdProcess.Start(user, "/bin/bash", ["bash", "-c", Probe], [new("HOME", home), new("PATH", "/usr/bin:/bin")], pty);
            var output = ReadAllAsync(process.Output);
            process.CloseInput();
            var status = await process.Exited.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(3, status.ExitCode);
            Assert.Equal(Expected(home, terminal), (await output.WaitAsync(TimeSpan.FromSeconds(30))).Replace("\r\n", "\n"));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_home_directory_the_trampoline_starts_the_session_clean_in_the_root_directory()
    {
        // posix_spawn's chdir fails for this user, so the session goes through the trampoline, which says so in
        // sshd's words and carries on in /, as OpenSSH's sshd does.
        await Accounts.Value;
        var r = await fixture.Server.SshAsync(Probe, user: NoHomeUser);
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal(Expected("/", terminal: false), r.StdOut);
        Assert.Equal($"Could not chdir to home directory /nonexistent/{NoHomeUser}: No such file or directory\n", r.StdErr);
    }

    [Fact]
    public async Task As_another_user_the_session_has_that_users_credentials_only_and_sshd_keeps_roots()
    {
        await Accounts.Value;
        var sshd = fixture.Server.ProcessId;
        var before = Credentials(File.ReadAllText($"/proc/{sshd}/status"));
        Assert.Equal("0\t0\t0\t0", before["Uid"]);

        var r = await fixture.Server.SshAsync("grep -E '^(Uid|Gid|Groups|CapPrm|CapEff|CapAmb):' /proc/$$/status", user: GroupsUser);
        Assert.True(r.ExitCode == 0, r.ToString());
        var session = Credentials(r.StdOut);
        var (uid, gid, groups) = await LocalIdsAsync(GroupsUser);
        // execve made the saved uid the user's too: nothing left in the shell can take root back.
        Assert.Equal($"{uid}\t{uid}\t{uid}\t{uid}", session["Uid"]);
        Assert.Equal($"{gid}\t{gid}\t{gid}\t{gid}", session["Gid"]);
        Assert.Equal(groups, Sorted(session["Groups"]));
        Assert.True(groups.Split(' ').Length >= 3, $"{GroupsUser} should have two supplementary groups: {groups}");
        foreach (var cap in new[] { "CapPrm", "CapEff", "CapAmb" })
            Assert.Equal("0000000000000000", session[cap]);

        // Every one of sshd's threads is root again, with root's groups (the switch is per thread: check them all).
        foreach (var task in Directory.GetDirectories($"/proc/{sshd}/task"))
        {
            string status;
            try
            {
                status = File.ReadAllText(Path.Combine(task, "status"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // the thread ended meanwhile
            }
            var thread = Credentials(status);
            Assert.Equal(before["Uid"], thread["Uid"]);
            Assert.Equal(before["Gid"], thread["Gid"]);
            Assert.Equal(before["Groups"], thread["Groups"]);
        }
    }

    [Fact]
    public async Task As_another_user_a_session_starts_without_a_second_lucid_process()
    {
        // A runtime setting no .NET process can start with (a 1-byte GC heap limit): the exec trampoline, a second
        // lucid process, would fail at start-up and the session with it. Started directly, only the shell sees it.
        await Accounts.Value;
        await using var server = await LucidSshd.StartAsync("SetEnv DOTNET_GCHeapHardLimit=1");
        var r = await server.SshAsync("echo \"$PPID $DOTNET_GCHeapHardLimit\"; id -un", user: GroupsUser);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{server.ProcessId} 1\n{GroupsUser}\n", r.StdOut);
    }

    [Fact]
    public async Task As_another_user_a_terminal_session_has_its_controlling_terminal_and_the_users_groups()
    {
        await Accounts.Value;
        var r = await fixture.Server.SshAsync("tty; (: </dev/tty) 2>/dev/null && echo ctty; id -G", options: ["-tt"], user: GroupsUser);
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdOut.Replace("\r\n", "\n").Split('\n');
        Assert.Matches(@"^/dev/pts/\d+$", lines[0]);
        Assert.Equal("ctty", lines[1]);
        var (_, _, groups) = await LocalIdsAsync(GroupsUser);
        Assert.Equal(groups, Sorted(lines[2]));
    }

    /// <summary>A user with two supplementary groups, and one whose home directory does not exist.</summary>
    private const string GroupsUser = "lucidcredtest";
    private const string NoHomeUser = "lucidnohome";

    private static readonly Lazy<Task> Accounts = new(async () =>
    {
        foreach (var group in new[] { "lucidcredg1", "lucidcredg2" })
        {
            var add = await ProcessRunner.RunAsync("groupadd", ["-f", group]);
            Assert.True(add.ExitCode == 0, add.ToString());
        }
        if (await ProcessRunner.RunAsync("id", [GroupsUser]) is { ExitCode: not 0 })
        {
            var add = await ProcessRunner.RunAsync("useradd", ["-m", "-s", "/bin/bash", "-G", "lucidcredg1,lucidcredg2", GroupsUser]);
            Assert.True(add.ExitCode is 0 or 9, add.ToString()); // 9: created meanwhile by a parallel run
        }
        if (await ProcessRunner.RunAsync("id", [NoHomeUser]) is { ExitCode: not 0 })
        {
            var add = await ProcessRunner.RunAsync("useradd", ["-M", "-d", $"/nonexistent/{NoHomeUser}", "-s", "/bin/bash", NoHomeUser]);
            Assert.True(add.ExitCode is 0 or 9, add.ToString());
        }
        await TestAccounts.AllowKeyLoginsAsync(GroupsUser);
        await TestAccounts.AllowKeyLoginsAsync(NoHomeUser);
    });

    /// <summary>The user's uid, gid and every group id (sorted, space-separated) as the local `id` reports them.</summary>
    private static async Task<(string Uid, string Gid, string Groups)> LocalIdsAsync(string user)
    {
        var uid = await ProcessRunner.RunAsync("id", ["-u", user]);
        var gid = await ProcessRunner.RunAsync("id", ["-g", user]);
        var groups = await ProcessRunner.RunAsync("id", ["-G", user]);
        Assert.True(uid.ExitCode == 0 && gid.ExitCode == 0 && groups.ExitCode == 0, groups.ToString());
        return (uid.StdOut.Trim(), gid.StdOut.Trim(), Sorted(groups.StdOut));
    }

    private static string Sorted(string ids) =>
        string.Join(' ', ids.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse).Order());

    /// <summary>The "Name:\tvalue" lines of a /proc/PID/status text, by name.</summary>
    private static Dictionary<string, string> Credentials(string status) =>
        status.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        var text = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
                text.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (IOException)
        {
            // A terminal's master reads EIO once the last slave is closed: the end of its output.
        }
        return text.ToString();
    }
}
