using System.Diagnostics;
using System.Text.RegularExpressions;
using Lucid.Interop.Tests.Sshd;

namespace Lucid.Interop.Tests.Agent;

/// <summary>
/// Agent forwarding into `lucid sshd`: Debian's OpenSSH ssh -A with a key held by OpenSSH's ssh-agent. The session
/// gets SSH_AUTH_SOCK in a private directory of the user's, `ssh-add -l` there lists the key, an onward ssh from the
/// session logs in through the forwarded agent, and the directory is gone when the session ends. Refused, as
/// OpenSSH's sshd refuses it, by no-agent-forwarding, restrict, a certificate without permit-agent-forwarding and
/// AllowAgentForwarding no: then SSH_AUTH_SOCK is unset and ssh-add exits 2.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SshdAgentForwardingTests(SshdAgentForwardingTests.Setup setup) : IClassFixture<SshdAgentForwardingTests.Setup>
{
    /// <summary>One server (its ecdsa keys' authorized_keys lines restricted, a user CA trusted) and an agent holding the ed25519 key.</summary>
    public sealed class Setup : IAsyncLifetime
    {
        public LucidSshd Server { get; private set; } = null!;
        public AgentScratch Agent { get; private set; } = null!;
        public string CaKey => Path.Combine(Agent.Directory, "ca");

        public async Task InitializeAsync()
        {
            Agent = AgentScratch.Create();
            await Agent.KeyAsync("ca", "ed25519");
            Server = await LucidSshd.StartAsync($"TrustedUserCAKeys {CaKey}.pub");
            var lines = File.ReadAllLines(Server.AuthorizedKeysPath).Select(line =>
                line.Contains("client-ecdsa256", StringComparison.Ordinal) ? "no-agent-forwarding " + line
                : line.Contains("client-ecdsa384", StringComparison.Ordinal) ? "restrict " + line
                : line);
            await File.WriteAllLinesAsync(Server.AuthorizedKeysPath, lines);
            await Agent.StartOpenSshAgentAsync();
            var added = await Agent.SshAddAsync(Server.ClientKeyPath("ed25519"));
            Assert.True(added.ExitCode == 0, added.ToString());
        }

        public async Task DisposeAsync()
        {
            await Agent.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    private LucidSshd Server => setup.Server;

    /// <summary>What the session reports: SSH_AUTH_SOCK (or "unset"), then ssh-add -l's output and exit code.</summary>
    private const string ListAgent = "echo \"sock=${SSH_AUTH_SOCK-unset}\"; ssh-add -l 2>&1; echo \"ssh-add exit $?\"";

    private Task<ProcessResult> ForwardingSshAsync(string command, string keyType = "ed25519", params string[] options) =>
        Server.SshAsync(command, options: ["-A", .. options], keyType: keyType, environment: setup.Agent.Environment);

    [Fact]
    public async Task The_forwarded_agent_lists_the_key_and_carries_an_onward_login()
    {
        var fingerprint = (await AgentScratch.FingerprintLineAsync(Server.ClientKeyPath("ed25519") + ".pub")).Split(' ')[1];
        var port = Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The onward ssh runs as the session's user, who has no key of its own: only the forwarded agent can log it in.
        var onward = $"ssh -F /dev/null -p {port} -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR " +
                     $"-o BatchMode=yes -l {LucidSshd.TestUser} 127.0.0.1 'echo onward $USER'";
        var r = await ForwardingSshAsync(
            $"{ListAgent}; stat -c '%a %U %F' \"${{SSH_AUTH_SOCK%/*}}\" \"$SSH_AUTH_SOCK\"; {onward}");
        Assert.True(r.ExitCode == 0, r.ToString());
        var match = SocketLine().Match(r.StdOut);
        Assert.True(match.Success, r.ToString());
        var socket = match.Groups[1].Value;
        Assert.Equal(
            $"sock={socket}\n" +
            $"256 {fingerprint} client-ed25519 (ED25519)\n" +
            "ssh-add exit 0\n" +
            $"700 {LucidSshd.TestUser} directory\n" +
            $"600 {LucidSshd.TestUser} socket\n" +
            $"onward {LucidSshd.TestUser}\n", r.StdOut);
        // The session is over: its socket and directory go (the server removes them as it handles the close).
        await WaitGoneAsync(Path.GetDirectoryName(socket)!);
    }

    [Fact]
    public async Task Lucid_ssh_forwards_its_agent_to_lucid_sshd()
    {
        var fingerprint = (await AgentScratch.FingerprintLineAsync(Server.ClientKeyPath("ed25519") + ".pub")).Split(' ')[1];
        var r = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", "-A", .. Server.SshArguments(), ListAgent],
            environment: setup.Agent.Environment, timeout: TimeSpan.FromSeconds(50));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(SocketLine(), r.StdOut);
        Assert.EndsWith($"\n256 {fingerprint} client-ed25519 (ED25519)\nssh-add exit 0\n", r.StdOut);
    }

    [Fact]
    public async Task Another_user_cannot_reach_the_socket()
    {
        // The session prints its socket and waits for a line on stdin; meanwhile "nobody" tries the socket.
        var info = new ProcessStartInfo("ssh")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in (string[])["-A", .. Server.SshArguments(), "echo \"$SSH_AUTH_SOCK\"; read line; ssh-add -l >/dev/null; echo \"user $?\""])
            info.ArgumentList.Add(a);
        foreach (var (k, v) in setup.Agent.Environment)
            info.Environment[k] = v;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        using var ssh = Process.Start(info)!;
        try
        {
            var socket = await ssh.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.StartsWith("/tmp/ssh-", socket);
            var other = await ProcessRunner.RunAsync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", AgentScratch.DebianSshAdd, "-l"],
                environment: new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = socket! }, timeout: TimeSpan.FromSeconds(20));
            Assert.Equal(2, other.ExitCode);
            Assert.Equal("Error connecting to agent: Permission denied\n", other.StdErr);
            await ssh.StandardInput.WriteLineAsync("go");
            ssh.StandardInput.Close();
            // The user itself still can.
            Assert.Equal("user 0", await ssh.StandardOutput.ReadLineAsync(timeout.Token));
            await ssh.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, ssh.ExitCode);
        }
        finally
        {
            if (!ssh.HasExited)
                ssh.Kill(entireProcessTree: true);
        }
    }

    public static TheoryData<string> RefusingKeys() => new() { "ecdsa256", "ecdsa384" };

    [Theory]
    [MemberData(nameof(RefusingKeys))]
    public async Task No_agent_forwarding_and_restrict_leave_the_session_without_an_agent(string keyType)
    {
        // The agent holds the ed25519 key; this login uses a key whose authorized_keys line refuses forwarding.
        var r = await ForwardingSshAsync(ListAgent, keyType);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("sock=unset\nCould not open a connection to your authentication agent.\nssh-add exit 2\n", r.StdOut);
    }

    [Theory]
    [InlineData(false, "sock=unset")]
    [InlineData(true, "sock=/tmp/ssh-")]
    public async Task A_certificate_forwards_the_agent_only_with_permit_agent_forwarding(bool permit, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("lucid-agentcert-").FullName;
        try
        {
            var key = Path.Combine(dir, "id");
            File.Copy(Server.ClientKeyPath("ecdsa521"), key);
            File.Copy(Server.ClientKeyPath("ecdsa521") + ".pub", key + ".pub");
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            string[] permissions = permit ? ["-O", "clear", "-O", "permit-agent-forwarding"] : ["-O", "clear"];
            var signed = await ProcessRunner.RunAsync("ssh-keygen",
                ["-q", "-s", setup.CaKey, "-I", "agent-test", "-n", LucidSshd.TestUser, .. permissions, key + ".pub"]);
            Assert.True(signed.ExitCode == 0, signed.ToString());
            var r = await ForwardingSshAsync(ListAgent, "ed25519", "-o", $"CertificateFile={key}-cert.pub", "-o", $"IdentityFile={key}");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.StartsWith(expected, r.StdOut);
            Assert.EndsWith(permit ? "ssh-add exit 0\n" : "ssh-add exit 2\n", r.StdOut);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task AllowAgentForwarding_no_refuses_it()
    {
        await using var server = await LucidSshd.StartAsync("AllowAgentForwarding no");
        var r = await server.SshAsync(ListAgent, options: ["-A"], environment: setup.Agent.Environment);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("sock=unset\nCould not open a connection to your authentication agent.\nssh-add exit 2\n", r.StdOut);
        Assert.DoesNotContain("Unsupported option", server.Log, StringComparison.Ordinal);
    }

    private static async Task WaitGoneAsync(string directory)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Directory.Exists(directory))
            await Task.Delay(50, timeout.Token);
    }

    [GeneratedRegex(@"^sock=(/tmp/ssh-[A-Za-z0-9]{10}/agent\.\d+)$", RegexOptions.Multiline)]
    private static partial Regex SocketLine();
}
