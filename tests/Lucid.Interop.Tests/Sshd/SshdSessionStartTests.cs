using Lucid.Cli.Sshd;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Server;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// A session's program starts in the same state whichever way sshd starts it: through the exec trampoline (sshd
/// as root, session as another user) or directly with posix_spawn (sshd already runs as the session's user).
/// The state checked: argv[0], working directory, no blocked or ignored signals, session leader, controlling
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
    public async Task Through_the_trampoline_a_session_starts_clean()
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
