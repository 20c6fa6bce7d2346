using System.Globalization;

namespace Lucid.Interop.Tests.Sshd.OtherClients;

/// <summary>
/// Paramiko (Debian's python3-paramiko) against `lucid sshd`, driven by a short script as a Python program would:
/// a Transport with chosen algorithms, publickey authentication, then an exec channel or its SFTP client.
/// </summary>
public sealed class ParamikoTests(LucidSshdFixture fixture) : IClassFixture<LucidSshdFixture>
{
    private LucidSshd Server => fixture.Server;

    /// <summary>
    /// argv: port user key key-class host-key-base64 kex host-key-algorithm cipher mac ("-" keeps Paramiko's
    /// default), then a mode: "exec COMMAND [STDIN-FILE]", "pty COMMAND" (vt100, 100x30), "shell INPUT" (a PTY of
    /// 80x24 resized to 132x43 before INPUT is typed), "sessions N" (N exec channels open at once), "rekey COMMAND
    /// STDIN-FILE" (two client-initiated key exchanges while stdin flows) or "sftp LOCAL REMOTE BACK". Command modes
    /// pass the command's output through and exit with its status. The host key is compared by hand because Paramiko 2.12 asks for
    /// its own preferred type, not the type known_hosts holds. Warnings are silenced so that stderr is the
    /// command's alone (python3-cryptography's deprecation notices would otherwise land there).
    /// </summary>
    private const string Script = """
        import sys, threading, warnings
        warnings.simplefilter("ignore")
        import paramiko
        port, user, keyfile, keyclass, hostkey, kex, hostalg, cipher, mac, mode = sys.argv[1:11]
        rest = sys.argv[11:]
        t = paramiko.Transport(("127.0.0.1", int(port)))
        o = t.get_security_options()
        if kex != "-": o.kex = (kex,)
        if hostalg != "-": o.key_types = (hostalg,)
        if cipher != "-": o.ciphers = (cipher,)
        if mac != "-": o.digests = (mac,)
        t.start_client(timeout=30)
        if t.get_remote_server_key().get_base64() != hostkey:
            sys.exit("host key mismatch: " + t.get_remote_server_key().get_base64())
        t.auth_publickey(user, getattr(paramiko, keyclass).from_private_key_file(keyfile))
        if mode == "exec":
            ch = t.open_session()
            ch.exec_command(rest[0])
            def feed():
                if len(rest) > 1:
                    with open(rest[1], "rb") as f:
                        ch.sendall(f.read())
                ch.shutdown_write()
            feeder = threading.Thread(target=feed)
            feeder.start()
            out = ch.makefile("rb").read()
            err = ch.makefile_stderr("rb").read()
            status = ch.recv_exit_status()
            feeder.join()  # its EOF must go out before the transport closes, or it raises on a closed socket
            sys.stdout.buffer.write(out)
            sys.stderr.buffer.write(err)
            t.close()
            sys.exit(status)
        if mode == "pty":
            ch = t.open_session()
            ch.get_pty(term="vt100", width=100, height=30)
            ch.exec_command(rest[0])
            sys.stdout.buffer.write(ch.makefile("rb").read())
            sys.exit(ch.recv_exit_status())
        if mode == "shell":
            ch = t.open_session()
            ch.get_pty(width=80, height=24)
            ch.invoke_shell()
            ch.resize_pty(width=132, height=43)
            ch.sendall(rest[0].encode() + b"\n")
            sys.stdout.buffer.write(ch.makefile("rb").read())
            sys.exit(ch.recv_exit_status())
        if mode == "sessions":
            chs = [t.open_session() for _ in range(int(rest[0]))]
            for i, ch in enumerate(chs):
                ch.exec_command("echo %d; exit %d" % (i, 10 + i))
            for ch in chs:
                print(ch.makefile("rb").read().decode().strip(), ch.recv_exit_status())
            sys.exit(0)
        if mode == "rekey":
            data = open(rest[1], "rb").read()
            third = len(data) // 3
            ch = t.open_session()
            ch.exec_command(rest[0])
            ch.sendall(data[:third])
            t.renegotiate_keys()
            ch.sendall(data[third:2 * third])
            t.renegotiate_keys()
            ch.sendall(data[2 * third:])
            ch.shutdown_write()
            sys.stdout.buffer.write(ch.makefile("rb").read())
            sys.exit(ch.recv_exit_status())
        sftp = paramiko.SFTPClient.from_transport(t)
        local, remote, back = rest
        sftp.put(local, remote)
        sftp.get(remote, back)
        print(sftp.stat(remote).st_size)
        sftp.close()
        t.close()
        """;

    [Theory]
    [InlineData("ed25519", "Ed25519Key")]
    [InlineData("ecdsa256", "ECDSAKey")]
    [InlineData("ecdsa384", "ECDSAKey")]
    [InlineData("ecdsa521", "ECDSAKey")]
    [InlineData("rsa", "RSAKey")]
    public async Task Exec_returns_stdout_stderr_and_the_exit_status(string keyType, string keyClass)
    {
        var r = await ParamikoAsync(["exec", "echo out; echo err >&2; exit 3"], keyType, keyClass);
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Equal("out\n", r.StdOut);
        Assert.Equal("err\n", r.StdErr);
    }

    [Fact]
    public async Task A_key_not_in_authorized_keys_is_refused()
    {
        using var scratch = new Scratch();
        var stranger = scratch.Path("stranger");
        var make = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
        Assert.True(make.ExitCode == 0, make.ToString());
        var r = await ParamikoAsync(["exec", "echo hi"], keyPath: stranger);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Equal("", r.StdOut);
        Assert.EndsWith("paramiko.ssh_exception.AuthenticationException: Authentication failed.\n", r.StdErr);
    }

    [Fact]
    public async Task Stdin_piped_through_cat_comes_back_unchanged()
    {
        using var scratch = new Scratch();
        var local = scratch.RandomFile("in.bin", 1_000_000);
        var r = await ParamikoAsync(["exec", "cat | sha256sum", local]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(Scratch.Sha256(local) + "  -\n", r.StdOut);
    }

    [Fact]
    public async Task Sftp_client_puts_and_gets_a_file()
    {
        using var scratch = new Scratch();
        var local = scratch.RandomFile("local.bin", 1_500_000);
        var remote = scratch.Path("remote.bin");
        var back = scratch.Path("back.bin");
        var r = await ParamikoAsync(["sftp", local, remote, back]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1500000\n", r.StdOut);
        Assert.Equal(Scratch.Sha256(local), Scratch.Sha256(remote));
        Assert.Equal(Scratch.Sha256(local), Scratch.Sha256(back));
    }

    [Fact]
    public async Task A_pty_has_the_requested_size_and_terminal_type()
    {
        var r = await ParamikoAsync(["pty", "stty size; echo $TERM; exit 6"]);
        Assert.True(r.ExitCode == 6, r.ToString());
        Assert.Equal("30 100\r\nvt100\r\n", r.StdOut);
    }

    [Fact]
    public async Task A_shell_sees_the_window_change()
    {
        var r = await ParamikoAsync(["shell", "stty size; exit 7"]);
        Assert.True(r.ExitCode == 7, r.ToString());
        // bash ends its echo of the typed line with "\e[?2004l\r" (bracketed paste off), then stty's answer.
        Assert.Matches(@"\r43 132\r\nlogout\r\n$", r.StdOut);
    }

    [Fact]
    public async Task Several_sessions_on_one_connection_each_get_their_own_output_and_status()
    {
        var r = await ParamikoAsync(["sessions", "5"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0 10\n1 11\n2 12\n3 13\n4 14\n", r.StdOut);
    }

    [Fact]
    public async Task Key_exchanges_the_client_starts_mid_stream_lose_nothing()
    {
        using var scratch = new Scratch();
        var local = scratch.RandomFile("in.bin", 3_000_000);
        var r = await ParamikoAsync(["rekey", "sha256sum; exit 9", local]);
        Assert.True(r.ExitCode == 9, r.ToString());
        Assert.Equal(Scratch.Sha256(local) + "  -\n", r.StdOut);
    }

    /// <summary>Every algorithm Paramiko 2.12 and lucid sshd's defaults have in common, one at a time.</summary>
    [Theory]
    [InlineData("kex", "curve25519-sha256@libssh.org")]
    [InlineData("kex", "ecdh-sha2-nistp256")]
    [InlineData("kex", "ecdh-sha2-nistp384")]
    [InlineData("kex", "ecdh-sha2-nistp521")]
    [InlineData("kex", "diffie-hellman-group-exchange-sha256")]
    [InlineData("kex", "diffie-hellman-group16-sha512")]
    [InlineData("kex", "diffie-hellman-group14-sha256")]
    [InlineData("hostkey", "ssh-ed25519")]
    [InlineData("hostkey", "ecdsa-sha2-nistp256")]
    [InlineData("hostkey", "ecdsa-sha2-nistp384")]
    [InlineData("hostkey", "ecdsa-sha2-nistp521")]
    [InlineData("hostkey", "rsa-sha2-512")]
    [InlineData("hostkey", "rsa-sha2-256")]
    [InlineData("cipher", "aes128-ctr")]
    [InlineData("cipher", "aes192-ctr")]
    [InlineData("cipher", "aes256-ctr")]
    [InlineData("mac", "hmac-sha2-256")]
    [InlineData("mac", "hmac-sha2-512")]
    [InlineData("mac", "hmac-sha2-256-etm@openssh.com")]
    [InlineData("mac", "hmac-sha2-512-etm@openssh.com")]
    public async Task Every_algorithm_paramiko_shares_with_lucid_works(string category, string algorithm)
    {
        var hostKeyType = algorithm switch
        {
            "ecdsa-sha2-nistp256" => "ecdsa256",
            "ecdsa-sha2-nistp384" => "ecdsa384",
            "ecdsa-sha2-nistp521" => "ecdsa521",
            "rsa-sha2-512" or "rsa-sha2-256" => "rsa",
            _ => "ed25519",
        };
        var r = await ParamikoAsync(["exec", "echo ok; exit 5"], hostKeyType: hostKeyType,
            kex: category == "kex" ? algorithm : "-", hostAlgorithm: category == "hostkey" ? algorithm : "-",
            cipher: category == "cipher" ? algorithm : "-", mac: category == "mac" ? algorithm : "-");
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Equal("ok\n", r.StdOut);
    }

    /// <summary>Debian's python3, where python3-paramiko lives: the PATH may put another Python (pyenv) first.</summary>
    private Task<ProcessResult> ParamikoAsync(string[] mode, string keyType = "ed25519", string keyClass = "Ed25519Key",
        string hostKeyType = "ed25519", string kex = "-", string hostAlgorithm = "-", string cipher = "-", string mac = "-",
        string? keyPath = null) =>
        ProcessRunner.RunAsync("/usr/bin/python3",
        [
            "-c", Script, Server.Port.ToString(CultureInfo.InvariantCulture), LucidSshd.TestUser, keyPath ?? Server.ClientKeyPath(keyType), keyClass,
            Scratch.PublicKey(Server.HostKeyPath(hostKeyType) + ".pub").Split(' ')[1], kex, hostAlgorithm, cipher, mac, .. mode,
        ]);
}
