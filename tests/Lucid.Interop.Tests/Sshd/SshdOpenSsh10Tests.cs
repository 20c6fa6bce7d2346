using System.Globalization;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// OpenSSH 10's server behaviour, each case run against `lucid sshd` and OpenSSH 10.5p1's sshd on the same
/// configuration, with OpenSSH 10.5's ssh and ssh-keyscan as the clients: PerSourcePenalties (authfail, noauth,
/// the min threshold, PerSourcePenaltyExemptList), RefuseConnection and `Match invalid-user`.
/// </summary>
public sealed class SshdOpenSsh10Tests
{
    public static TheoryData<bool> Servers => new() { false, true };

    private static Task<LucidSshd> StartAsync(bool openSsh105, params string[] config) =>
        openSsh105 ? LucidSshd.StartOpenSsh105Async(config) : LucidSshd.StartAsync(config);

    private static string Port(LucidSshd server) => server.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>OpenSSH 10.5's ssh running `true` on the server, with the given key.</summary>
    private static Task<ProcessResult> SshTrueAsync(LucidSshd server, string keyPath, string user = LucidSshd.TestUser) =>
        ProcessRunner.RunAsync(OpenSsh105.Ssh,
        [
            "-F", "/dev/null", "-p", Port(server), "-i", keyPath, "-o", "UserKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-l", user, "127.0.0.1", "true",
        ], timeout: TimeSpan.FromSeconds(60));

    private static async Task<string> UnauthorizedKeyAsync(LucidSshd server)
    {
        var path = Path.Combine(server.Directory, "id_stranger");
        if (!File.Exists(path))
            Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])).ExitCode);
        return path;
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Failed_authentications_are_penalised_once_past_min(bool openSsh105)
    {
        // As OpenSSH's regress/penalty.sh: one failure stays under min, the second activates the penalty.
        await using var server = await StartAsync(openSsh105, "PerSourcePenalties authfail:300s min:350s max:900s");
        var good = server.ClientKeyPath();
        var bad = await UnauthorizedKeyAsync(server);
        Assert.Equal(0, (await SshTrueAsync(server, good)).ExitCode);

        Assert.Equal(255, (await SshTrueAsync(server, bad)).ExitCode);
        var belowMin = await SshTrueAsync(server, good);
        Assert.True(belowMin.ExitCode == 0, $"one failure (300s) is below min (350s), yet: {belowMin}");

        Assert.Equal(255, (await SshTrueAsync(server, bad)).ExitCode);
        var refused = await SshTrueAsync(server, good);
        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("kex_exchange_identification", refused.StdErr);
        await server.WaitForLogAsync("penalty: failed authentication");
        Assert.Matches(@"drop connection #\d+ from \[127\.0\.0\.1\]:\d+ on \[127\.0\.0\.1\]:\d+ penalty: failed authentication", server.Log);
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Connections_without_authentication_are_penalised_unless_exempt(bool openSsh105)
    {
        var keyscan = OpenSsh105.Path("ssh-keyscan");
        await using (var server = await StartAsync(openSsh105, "PerSourcePenalties noauth:100s"))
        {
            var first = await ProcessRunner.RunAsync(keyscan, ["-t", "ssh-ed25519", "-p", Port(server), "127.0.0.1"]);
            Assert.Contains("ssh-ed25519", first.StdOut);
            await Task.Delay(TimeSpan.FromSeconds(1)); // the server notes the end of the scan's connection
            var second = await ProcessRunner.RunAsync(keyscan, ["-t", "ssh-ed25519", "-p", Port(server), "127.0.0.1"]);
            Assert.Equal("", second.StdOut);
            await server.WaitForLogAsync("penalty: connections without attempting authentication");
        }
        await using (var exempt = await StartAsync(openSsh105, "PerSourcePenalties noauth:100s", "PerSourcePenaltyExemptList 10.0.0.0/8,127.0.0.0/8"))
        {
            for (var i = 0; i < 2; i++)
            {
                var scan = await ProcessRunner.RunAsync(keyscan, ["-t", "ssh-ed25519", "-p", Port(exempt), "127.0.0.1"]);
                Assert.Contains("ssh-ed25519", scan.StdOut);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task RefuseConnection_in_a_Match_block_ends_the_connection_and_is_penalised(bool openSsh105)
    {
        await using var server = await StartAsync(openSsh105,
            "PerSourcePenalties refuseconnection:300s min:1s", "Match User nosuchuser10", "RefuseConnection yes");
        var refused = await SshTrueAsync(server, server.ClientKeyPath(), user: "nosuchuser10");
        Assert.Equal(255, refused.ExitCode);
        var log = await server.WaitForLogAsync("administratively prohibited connection for invalid user nosuchuser10 from 127.0.0.1 port");
        // The penalty (300 s, above min) now refuses everyone from this address.
        var after = await SshTrueAsync(server, server.ClientKeyPath());
        Assert.Equal(255, after.ExitCode);
        await server.WaitForLogAsync("penalty: connection prohibited by RefuseConnection");
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Match_invalid_user_applies_only_to_names_without_an_account(bool openSsh105)
    {
        await using var server = await StartAsync(openSsh105, "Match invalid-user", "RefuseConnection yes");
        var valid = await SshTrueAsync(server, server.ClientKeyPath());
        Assert.True(valid.ExitCode == 0, valid.ToString());
        var invalid = await SshTrueAsync(server, server.ClientKeyPath(), user: "nosuchuser11");
        Assert.Equal(255, invalid.ExitCode);
        await server.WaitForLogAsync("administratively prohibited connection for invalid user nosuchuser11");
    }

    /// <summary>OpenSSH 10.5's ssh with extra options and a command (none: -N).</summary>
    private static Task<ProcessResult> SshAsync(LucidSshd server, string? command, params string[] options) =>
        ProcessRunner.RunAsync(OpenSsh105.Ssh,
        [
            .. options, "-F", "/dev/null", "-p", Port(server), "-i", server.ClientKeyPath(), "-o", "UserKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-l", LucidSshd.TestUser, "127.0.0.1", .. command is null ? new[] { "-N" } : [command],
        ], timeout: TimeSpan.FromSeconds(60));

    [Fact]
    public async Task UnusedConnectionTimeout_ends_a_connection_without_channels_as_sshd_10_5_does()
    {
        await using var lucid = await LucidSshd.StartAsync("UnusedConnectionTimeout 2");
        await using var openssh = await LucidSshd.StartOpenSsh105Async("UnusedConnectionTimeout 2");
        var fromLucid = await SshAsync(lucid, null);
        var fromOpenSsh = await SshAsync(openssh, null);
        Assert.Equal(255, fromOpenSsh.ExitCode);
        Assert.Equal(fromOpenSsh.ExitCode, fromLucid.ExitCode);
        Assert.Equal(fromOpenSsh.StdErr.Replace(Port(openssh), "PORT"), fromLucid.StdErr.Replace(Port(lucid), "PORT"));
        await lucid.WaitForLogAsync("terminating inactive connection from 127.0.0.1 port");
        // A connection with a session open is not "unused".
        var busy = await SshAsync(lucid, "sleep 4; echo still-here");
        Assert.Equal("still-here\n", busy.StdOut);
    }

    [Fact]
    public async Task ChannelTimeout_closes_an_idle_session_as_sshd_10_5_does()
    {
        // sshd names an exec session "session:command" once the command starts.
        string[] config = ["ChannelTimeout session:command=2"];
        await using var lucid = await LucidSshd.StartAsync(config);
        await using var openssh = await LucidSshd.StartOpenSsh105Async(config);
        var fromLucid = await SshAsync(lucid, "echo early; sleep 30; echo late");
        var fromOpenSsh = await SshAsync(openssh, "echo early; sleep 30; echo late");
        Assert.Equal("early\n", fromOpenSsh.StdOut);
        Assert.Equal(fromOpenSsh.StdOut, fromLucid.StdOut);
        Assert.Equal(fromOpenSsh.ExitCode, fromLucid.ExitCode);
        await lucid.WaitForLogAsync("closing after 2 seconds of inactivity");
        // Traffic keeps it open: output every second for four seconds.
        var talking = await SshAsync(lucid, "for i in 1 2 3 4; do sleep 1; echo $i; done");
        Assert.Equal("1\n2\n3\n4\n", talking.StdOut);
    }

    [Fact]
    public async Task The_client_sees_the_same_refusal_from_both_servers()
    {
        string[] config = ["Match User nosuchuser12", "RefuseConnection yes"];
        await using var lucid = await LucidSshd.StartAsync(config);
        await using var openssh = await LucidSshd.StartOpenSsh105Async(config);
        var fromLucid = await SshTrueAsync(lucid, lucid.ClientKeyPath(), user: "nosuchuser12");
        var fromOpenSsh = await SshTrueAsync(openssh, openssh.ClientKeyPath(), user: "nosuchuser12");
        Assert.Equal(fromOpenSsh.ExitCode, fromLucid.ExitCode);
        Assert.Equal(fromOpenSsh.StdErr.Replace(Port(openssh), "PORT"), fromLucid.StdErr.Replace(Port(lucid), "PORT"));
    }
}
