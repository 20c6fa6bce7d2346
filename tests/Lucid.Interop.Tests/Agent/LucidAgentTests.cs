using System.Buffers.Binary;
using System.Net.Sockets;
using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Agent;

/// <summary>`lucid ssh-agent` driven by Debian's OpenSSH ssh-add and ssh, and attacked through its socket.</summary>
[Collection(OpenSshCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LucidAgentTests(OpenSshServerFixture sshd) : IAsyncLifetime
{
    private AgentScratch _scratch = null!;

    public async Task InitializeAsync()
    {
        _scratch = AgentScratch.Create();
        await _scratch.StartLucidAgentAsync();
    }

    public async Task DisposeAsync() => await _scratch.DisposeAsync();

    [Fact]
    public async Task Started_agent_prints_the_shell_lines_and_listens_on_a_private_socket()
    {
        await using var scratch = AgentScratch.Create();
        var started = await scratch.StartLucidAgentAsync();
        Assert.Matches($"^SSH_AUTH_SOCK={scratch.Socket}; export SSH_AUTH_SOCK;\nSSH_AGENT_PID=(\\d+); export SSH_AGENT_PID;\necho Agent pid \\1;\n$",
            started.StdOut);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(scratch.Socket));
        Assert.True(scratch.AgentRunning);
    }

    [Fact]
    public async Task OpenSsh_ssh_add_adds_lists_and_deletes_keys_of_every_type()
    {
        var ed = await _scratch.KeyAsync("ed", "ed25519");
        var ec = await _scratch.KeyAsync("ec", "ecdsa");
        var rsa = await _scratch.KeyAsync("rsa", "rsa", passphrase: "open sesame");
        _scratch.Answer("open sesame");

        foreach (var key in new[] { ed, ec, rsa })
        {
            var added = await _scratch.SshAddAsync(key);
            Assert.True(added.ExitCode == 0, added.ToString());
            Assert.Equal($"Identity added: {key} ({Path.GetFileName(key)})\n", added.StdErr);
        }
        Assert.Contains($"Enter passphrase for {rsa}: ", _scratch.AskpassLog);

        var listed = await _scratch.SshAddAsync("-l");
        Assert.Equal(0, listed.ExitCode);
        var expected = new List<string>();
        foreach (var key in new[] { ed, ec, rsa })
            expected.Add(await AgentScratch.FingerprintLineAsync(key + ".pub"));
        Assert.Equal(string.Join('\n', expected) + "\n", listed.StdOut);

        var publicKeys = await _scratch.SshAddAsync("-L");
        Assert.Equal(string.Concat(new[] { ed, ec, rsa }.Select(k => File.ReadAllText(k + ".pub"))), publicKeys.StdOut);

        var removed = await _scratch.SshAddAsync("-d", ec);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal($"Identity removed: {ec} ECDSA (ec)\n", removed.StdErr);
        Assert.Equal(string.Join('\n', expected[0], expected[2]) + "\n", (await _scratch.SshAddAsync("-l")).StdOut);

        // Every signature kind the agent makes verifies (ssh-add -T: rsa-sha2-256 for RSA).
        var tested = await _scratch.SshAddAsync("-T", ed + ".pub", rsa + ".pub");
        Assert.True(tested.ExitCode == 0, tested.ToString());

        var cleared = await _scratch.SshAddAsync("-D");
        Assert.Equal("All identities removed.\n", cleared.StdErr);
        var empty = await _scratch.SshAddAsync("-l");
        Assert.Equal(1, empty.ExitCode);
        Assert.Equal("The agent has no identities.\n", empty.StdOut);
    }

    [Fact]
    public async Task A_key_added_with_a_lifetime_is_forgotten_when_it_runs_out()
    {
        var key = await _scratch.KeyAsync("brief", "ed25519");
        var added = await _scratch.SshAddAsync("-t", "1", key);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Contains("Lifetime set to 1 seconds", added.StdErr);
        Assert.Equal(0, (await _scratch.SshAddAsync("-l")).ExitCode);

        ProcessResult listed;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
            listed = await _scratch.SshAddAsync("-l");
        while (listed.ExitCode == 0 && DateTime.UtcNow < deadline);
        Assert.Equal("The agent has no identities.\n", listed.StdOut);
    }

    [Fact]
    public async Task Locked_agent_hides_its_keys_until_unlocked_with_the_same_password()
    {
        var key = await _scratch.KeyAsync("k", "ed25519");
        await _scratch.SshAddAsync(key);
        _scratch.Answer("lock words");
        var locked = await _scratch.SshAddAsync("-x");
        Assert.True(locked.ExitCode == 0, locked.ToString());
        Assert.Equal("Agent locked.\n", locked.StdErr);
        Assert.Equal("The agent has no identities.\n", (await _scratch.SshAddAsync("-l")).StdOut);
        Assert.Equal(1, (await _scratch.SshAddAsync("-T", key + ".pub")).ExitCode);

        _scratch.Answer("wrong words");
        var refused = await _scratch.SshAddAsync("-X");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("Failed to unlock agent: agent refused operation\n", refused.StdErr);

        _scratch.Answer("lock words");
        var unlocked = await _scratch.SshAddAsync("-X");
        Assert.Equal("Agent unlocked.\n", unlocked.StdErr);
        Assert.Equal(await AgentScratch.FingerprintLineAsync(key + ".pub") + "\n", (await _scratch.SshAddAsync("-l")).StdOut);
    }

    [Fact]
    public async Task Confirm_constrained_key_signs_only_when_SSH_ASKPASS_agrees()
    {
        var key = await _scratch.KeyAsync("careful", "ed25519");
        var added = await _scratch.SshAddAsync("-c", key);
        Assert.Contains("The user must confirm each use of the key", added.StdErr);

        _scratch.Answer(null); // the askpass script exits 1: the user said no
        var declined = await _scratch.SshAddAsync("-T", key + ".pub");
        Assert.Equal(1, declined.ExitCode);
        Assert.Contains("Agent signature failed for", declined.StdErr);
        var fingerprint = (await AgentScratch.FingerprintLineAsync(key + ".pub")).Split(' ')[1];
        Assert.Contains($"confirm|Allow use of key careful?\nKey fingerprint {fingerprint}.\n", _scratch.AskpassLog);

        _scratch.Answer(""); // an empty answer (or "yes") allows, as OpenSSH's ask_permission takes it
        var allowed = await _scratch.SshAddAsync("-T", key + ".pub");
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
    }

    [Fact]
    public async Task OpenSsh_ssh_logs_in_with_a_key_the_agent_holds()
    {
        var server = sshd.Server;
        var added = await _scratch.SshAddAsync(server.ClientKeyPath("ed25519"));
        Assert.True(added.ExitCode == 0, added.ToString());
        var result = await ProcessRunner.RunAsync("ssh",
            ["-F", "/dev/null", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-o", "UserKnownHostsFile=" + server.KnownHostsPath, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
             "-o", "IdentityFile=" + Path.Combine(_scratch.Directory, "none"), "-l", server.User, server.Host, "echo via-agent"],
            environment: _scratch.Environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("via-agent\n", result.StdOut);
    }

    [Fact]
    public async Task Hostile_frames_close_only_their_connection_and_the_agent_keeps_serving()
    {
        var key = await _scratch.KeyAsync("k", "ed25519");
        await _scratch.SshAddAsync(key);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Unknown message: SSH_AGENT_FAILURE, and the connection stays usable.
        using (var socket = await ConnectAsync(timeout.Token))
        {
            await socket.SendAsync(new byte[] { 0, 0, 0, 1, 200 }, timeout.Token);
            Assert.Equal(new byte[] { 0, 0, 0, 1, 5 }, await ReceiveAsync(socket, 5, timeout.Token));
            await socket.SendAsync(new byte[] { 0, 0, 0, 1, 11 }, timeout.Token);
            Assert.Equal(12, (await ReceiveAsync(socket, 5, timeout.Token))[4]);
        }
        // Oversized (over 256 KiB), and 2 GiB claimed: the agent hangs up without reading or allocating it.
        foreach (var length in new uint[] { 256 * 1024 + 1, int.MaxValue })
        {
            using var socket = await ConnectAsync(timeout.Token);
            var header = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(header, length);
            await socket.SendAsync(header, timeout.Token);
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], timeout.Token));
        }
        // Truncated: a frame cut off by the sender's hang-up.
        using (var socket = await ConnectAsync(timeout.Token))
        {
            await socket.SendAsync(new byte[] { 0, 0, 0, 50, 17, 0, 0 }, timeout.Token);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], timeout.Token));
        }

        var listed = await _scratch.SshAddAsync("-l");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(await AgentScratch.FingerprintLineAsync(key + ".pub") + "\n", listed.StdOut);
    }

    [Fact]
    public async Task Another_user_is_refused_even_when_the_socket_lets_them_connect()
    {
        var key = await _scratch.KeyAsync("k", "ed25519");
        await _scratch.SshAddAsync(key);
        // Open the socket to everyone, as a careless chmod would: the peer-uid check must still refuse.
        File.SetUnixFileMode(_scratch.Directory, (UnixFileMode)0x1ed); // 0755
        File.SetUnixFileMode(_scratch.Socket, (UnixFileMode)0x1b6);    // 0666
        var stranger = await ProcessRunner.RunAsync("setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", AgentScratch.DebianSshAdd, "-l"], environment: _scratch.Environment);
        Assert.Equal(1, stranger.ExitCode);
        Assert.Equal("error fetching identities: communication with agent failed\n", stranger.StdErr);
        Assert.Equal("", stranger.StdOut);

        Assert.Equal(0, (await _scratch.SshAddAsync("-l")).ExitCode);
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_scratch.Socket), cancellationToken);
        return socket;
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        int got = 0;
        while (got < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), cancellationToken);
            if (n == 0)
                break;
            got += n;
        }
        return buffer[..got];
    }
}
