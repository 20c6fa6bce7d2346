using System.Text.RegularExpressions;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Without -e (or -d), sshd logs to syslog: one datagram per line on /dev/log — here a socket of the test's
/// own — as "&lt;PRI&gt;Mmm dd hh:mm:ss sshd[PID]: message", PRI being SyslogFacility × 8 + severity.
/// </summary>
public sealed class SshdSyslogTests
{
    private const string Stamp = @"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d";

    private static async Task<string> WaitForDatagramAsync(LucidSshd server, string pattern)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var all = server.SyslogDatagrams;
            if (all.FirstOrDefault(regex.IsMatch) is { } found)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no syslog datagram matched {pattern}\n--- datagrams\n{string.Join("\n", all)}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Logs_go_to_syslog_as_auth_info_with_sshds_ident_and_pid()
    {
        await using var server = await LucidSshd.StartAsync(null, syslog: true);
        var r = await server.SshAsync("echo hi");
        Assert.True(r.ExitCode == 0, r.ToString());
        var pid = server.ProcessId;
        // LOG_AUTH (4) × 8 + LOG_INFO (6) = 38.
        await WaitForDatagramAsync(server, $@"^<38>{Stamp} sshd\[{pid}\]: Server listening on 127\.0\.0\.1 port {server.Port}\.$");
        await WaitForDatagramAsync(server,
            $@"^<38>{Stamp} sshd\[{pid}\]: Accepted publickey for {LucidSshd.TestUser} from 127\.0\.0\.1 port \d+ ssh2: ED25519 SHA256:[A-Za-z0-9+/]{{43}}$");
        await WaitForDatagramAsync(server, $@"^<38>{Stamp} sshd\[{pid}\]: Disconnected from user {LucidSshd.TestUser} 127\.0\.0\.1 port \d+$");
    }

    [Fact]
    public async Task SyslogFacility_and_LogLevel_set_the_priority_and_errors_say_error()
    {
        await using var server = await LucidSshd.StartAsync(null, syslog: true, "SyslogFacility LOCAL3", "LogLevel DEBUG1", "MaxAuthTries 2");
        var pid = server.ProcessId;
        var ok = await server.SshAsync("true");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        // LOG_LOCAL3 (19) × 8: info 158, debug 159, err 155.
        await WaitForDatagramAsync(server, $@"^<158>{Stamp} sshd\[{pid}\]: Accepted publickey for {LucidSshd.TestUser} from 127\.0\.0\.1 port \d+ ssh2: ED25519 ");
        await WaitForDatagramAsync(server, $@"^<159>{Stamp} sshd\[{pid}\]: debug1: ");

        // Three keys the server does not accept for this user: the second failure ends it.
        await File.WriteAllTextAsync(server.AuthorizedKeysPath, "");
        var refused = await server.SshAsync("true", options: ["-i", server.ClientKeyPath("rsa"), "-i", server.ClientKeyPath("ecdsa256")]);
        Assert.Equal(255, refused.ExitCode);
        await WaitForDatagramAsync(server,
            $@"^<155>{Stamp} sshd\[{pid}\]: error: maximum authentication attempts exceeded for {LucidSshd.TestUser} from 127\.0\.0\.1 port \d+ ssh2 \[preauth\]$");
    }

    /// <summary>A client-chosen user name with a newline is written escaped, as OpenSSH does: it cannot forge a line.</summary>
    [Fact]
    public async Task Control_characters_from_clients_are_escaped()
    {
        await using var server = await LucidSshd.StartAsync(null, syslog: true);
        var options = new global::Lucid.Ssh.Client.SshClientOptions
        {
            User = "evil\nAccepted publickey for root",
            HostKeyVerifier = (_, _) => ValueTask.FromResult(true),
        };
        options.IdentityFiles.Add(server.ClientKeyPath());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var client = await global::Lucid.Ssh.Client.SshClient.ConnectAsync("127.0.0.1", server.Port, options, timeout.Token);
        });
        await WaitForDatagramAsync(server, $@"^<38>{Stamp} sshd\[{server.ProcessId}\]: Invalid user evil\\nAccepted publickey for root from 127\.0\.0\.1 port \d+$");
        Assert.DoesNotContain(server.SyslogDatagrams, d => d.Contains('\n'));
    }
}
