using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lucid.Ssh;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Transport;

namespace Lucid.Fuzz.Recording;

/// <summary>
/// Records the packet corpus from real OpenSSH 9.2 (Debian's) and 10.5 ($LUCID_OPENSSH105):
/// <list type="bullet">
/// <item>ssh → relay → sshd for each key exchange and host key type: both sides' cleartext messages up to NEWKEYS
/// (kex-client, kex-server, kexinit) and the raw byte streams (packet-framer);</item>
/// <item>OpenSSH's ssh against Lucid's server code, through a tap on the decrypted messages: its user-auth
/// requests (userauth-server) and channel messages (channel);</item>
/// <item>Lucid's client against OpenSSH's sshd through the same tap: sshd's user-auth replies (userauth-client) and
/// channel messages (channel); and ssh-keyscan's known_hosts lines for that sshd (known-hosts).</item>
/// </list>
/// Run by fuzz/record-corpus.sh, as root (sshd), after the file part of the corpus.
/// </summary>
internal static class Recorder
{
    private static readonly string[] KexMethods =
    [
        "curve25519-sha256", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha1",
    ];

    private static readonly string[] HostKeyAlgorithms =
        ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "ssh-ed25519-cert-v01@openssh.com", "rsa-sha2-256"];

    public static int Run(string corpus)
    {
        var work = Directory.CreateTempSubdirectory("lucid-fuzz-record-").FullName;
        try
        {
            RunAsync(corpus, work).GetAwaiter().GetResult();
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task RunAsync(string corpus, string work)
    {
        var recording = Path.Combine(RepoRoot(), "fuzz", "recording");
        foreach (var name in new[] { "id_ed25519", "id_ecdsa", "id_rsa" })
        {
            File.Copy(Path.Combine(recording, name), Path.Combine(work, name));
            File.SetUnixFileMode(Path.Combine(work, name), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Copy(Path.Combine(recording, name + ".pub"), Path.Combine(work, name + ".pub"));
        }
        foreach (var type in new[] { "ed25519", "ecdsa", "rsa" })
            Exec("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "", "-f", Path.Combine(work, $"ssh_host_{type}_key"));
        Exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "host-ca", "-f", Path.Combine(work, "host_ca"));
        Exec("ssh-keygen", "-q", "-s", Path.Combine(work, "host_ca"), "-h", "-I", "recorded-host", "-n", "127.0.0.1,localhost",
            Path.Combine(work, "ssh_host_ed25519_key.pub"));
        File.WriteAllText(Path.Combine(work, "authorized_keys"), RecordingKeys.AuthorizedKeys);
        File.WriteAllText(Path.Combine(work, "banner"), "Authorized use only. This banner was recorded for the fuzz corpus.\n");
        Directory.CreateDirectory("/run/sshd");

        var ssh105 = Environment.GetEnvironmentVariable("LUCID_OPENSSH105")
            ?? Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "lucid-peers", "openssh-10.5p1");
        var peers = new List<(string Version, string Ssh, string Sshd, string Keyscan, string[] Extra)>
        {
            ("9.2", "/usr/bin/ssh", "/usr/sbin/sshd", "/usr/bin/ssh-keyscan", []),
        };
        if (File.Exists(Path.Combine(ssh105, "sshd")))
            peers.Add(("10.5", Path.Combine(ssh105, "ssh"), Path.Combine(ssh105, "sshd"), Path.Combine(ssh105, "ssh-keyscan"),
                [$"SshdSessionPath {ssh105}/sshd-session", $"SshdAuthPath {ssh105}/sshd-auth", "PerSourcePenalties no"]));
        else
            Console.Error.WriteLine($"record: OpenSSH 10.5 not found at {ssh105}; recording 9.2 only");

        foreach (var peer in peers)
        {
            var kexMethods = peer.Version == "10.5"
                ? KexMethods.Concat(["mlkem768x25519-sha256", "sntrup761x25519-sha512"]).ToArray()
                : KexMethods.Concat(["sntrup761x25519-sha512"]).ToArray();
            await using (var sshd = await StartSshdAsync(peer.Sshd, work, peer.Version, peer.Extra))
            {
                for (int i = 0; i < kexMethods.Length; i++)
                    await RecordHandshakeAsync(corpus, work, peer.Version, peer.Ssh, sshd.Port, kexMethods[i], HostKeyAlgorithms[i % HostKeyAlgorithms.Length]);
                await RecordLucidClientAsync(corpus, work, peer.Version, sshd.Port);
                RecordKeyscan(corpus, work, peer.Version, peer.Keyscan, sshd.Port);
            }
            await RecordLucidServerAsync(corpus, work, peer.Version, peer.Ssh);
        }
    }

    // ---- ssh → relay → sshd: the cleartext key exchange --------------------------------------------------------

    private static async Task RecordHandshakeAsync(string corpus, string work, string version, string ssh, int sshdPort, string kex, string hostKeyAlgorithm)
    {
        byte[] fromClient, fromServer;
        await using (var proxy = new HandshakeProxy(sshdPort))
        {
            Exec(ssh, [.. SshOptions(work, proxy.Port), "-o", $"KexAlgorithms={kex}", "-o", $"HostKeyAlgorithms={hostKeyAlgorithm}",
                "root@127.0.0.1", "true"], allowFailure: true);
            await Task.Delay(200);
            fromClient = proxy.ClientBytes;
            fromServer = proxy.ServerBytes;
        }
        var clientMessages = HandshakeProxy.CleartextMessages(fromClient);
        var serverMessages = HandshakeProxy.CleartextMessages(fromServer);
        var name = $"openssh-{version}-{kex}-{hostKeyAlgorithm.Replace("@openssh.com", "")}";
        bool largeGroup = kex is "diffie-hellman-group-exchange-sha256" or "diffie-hellman-group16-sha512" or "diffie-hellman-group18-sha512";
        Put(corpus, largeGroup ? "kex-server-dh" : "kex-server", name, FuzzInput.Frame(clientMessages));
        Put(corpus, "kex-client", name, FuzzInput.Frame(serverMessages));
        if (clientMessages.Count > 0)
            Put(corpus, "kexinit", $"openssh-{version}-ssh-{kex}", clientMessages[0]);
        if (serverMessages.Count > 0)
            Put(corpus, "kexinit", $"openssh-{version}-sshd-{hostKeyAlgorithm.Replace("@openssh.com", "")}", serverMessages[0]);
        Put(corpus, "packet-framer", name + "-ssh", [0, .. fromClient.Take(16384)]);
        Put(corpus, "packet-framer", name + "-sshd", [0, .. fromServer.Take(16384)]);
        Console.WriteLine($"record: {name}: ssh sent {clientMessages.Count} cleartext messages, sshd {serverMessages.Count}");
    }

    // ---- Lucid's client against OpenSSH's sshd: sshd's user-auth replies and channel messages ------------------

    private static async Task RecordLucidClientAsync(string corpus, string work, string version, int port)
    {
        var scenarios = new (string Name, SshPrivateKey[] Keys, bool Pty, string Command)[]
        {
            ("publickey-exec", [PrivateKeyFile.Load(Path.Combine(work, "id_ed25519"))], false, "echo hello; echo err >&2; exit 3"),
            ("unknown-key-then-rsa-pty", [SshPrivateKey.Generate("ssh-ed25519"), PrivateKeyFile.Load(Path.Combine(work, "id_rsa"))], true, "tty; exit 0"),
            ("ecdsa-stdin", [PrivateKeyFile.Load(Path.Combine(work, "id_ecdsa"))], false, "cat; kill -TERM $$"),
        };
        foreach (var scenario in scenarios)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            var transport = await SshTransport.ConnectClientAsync(tcp.GetStream(), new ClientTransportOptions
            {
                Host = "127.0.0.1", Port = port, HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
                KexAlgorithms = ["curve25519-sha256"], Compression = ["none"],
            });
            var tap = new RecordingConnection(transport);
            var options = new SshClientOptions { User = "root", PreferredAuthentications = ["publickey", "password"] };
            var context = new ClientAuthContext { Host = "127.0.0.1", ServerSignatureAlgorithms = () => transport.ServerSignatureAlgorithms };
            await new ClientAuthenticator(tap, options, context).AuthenticateAsync(scenario.Keys);
            int authenticated = tap.Mark();
            var connection = new SshConnection(tap);
            connection.Start();
            await using (var session = await connection.OpenSessionAsync())
            {
                if (scenario.Pty)
                    await session.RequestPtyAsync(new SshPtyRequest("xterm-256color", 80, 24) { });
                await session.SetEnvironmentVariableAsync("LANG", "C.UTF-8");
                await session.ExecAsync(scenario.Command);
                if (scenario.Name == "ecdsa-stdin")
                {
                    await session.StandardInput.WriteAsync("a line of input\n"u8.ToArray());
                    await session.StandardInput.DisposeAsync();
                }
                await session.StandardOutput.CopyToAsync(Stream.Null);
                await session.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                await Task.Delay(200);
            }
            var received = tap.Received;
            var sessionId = transport.SessionId.ToArray();
            Put(corpus, "userauth-client", $"openssh-{version}-sshd-{scenario.Name}", FuzzInput.Frame([sessionId, .. received.Take(authenticated)]));
            Put(corpus, "channel", $"openssh-{version}-sshd-{scenario.Name}", FuzzInput.Frame(received.Skip(authenticated)));
            PutCompressed(corpus, $"openssh-{version}-sshd-{scenario.Name}", received.Skip(authenticated));
            Console.WriteLine($"record: Lucid client vs sshd {version} {scenario.Name}: {authenticated} auth messages, {received.Count - authenticated} after");
            await connection.DisposeAsync();
            await transport.DisposeAsync();
        }
    }

    /// <summary>The packet framer's zlib seeds: messages compressed as one zlib@openssh.com stream, as a peer sends them.</summary>
    private static void PutCompressed(string corpus, string name, IEnumerable<byte[]> messages)
    {
        using var zlib = new ZlibCodec(compress: true);
        var compressed = messages.Select(m => zlib.Compress(m).ToArray()).ToList();
        Put(corpus, "packet-framer", name + "-zlib", [5, .. FuzzInput.Frame(compressed)]);
    }

    private static void RecordKeyscan(string corpus, string work, string version, string keyscan, int port)
    {
        var plain = Exec(keyscan, "-p", port.ToString(), "-t", "ed25519,ecdsa,rsa", "127.0.0.1");
        var hashed = Exec(keyscan, "-H", "-p", port.ToString(), "-t", "ed25519,ecdsa,rsa", "127.0.0.1");
        var ca = File.ReadAllText(Path.Combine(work, "host_ca.pub")).Trim();
        var revoked = File.ReadAllText(Path.Combine(work, "id_rsa.pub")).Trim();
        Put(corpus, "known-hosts", $"openssh-{version}-keyscan", System.Text.Encoding.UTF8.GetBytes(plain));
        Put(corpus, "known-hosts", $"openssh-{version}-keyscan-hashed", System.Text.Encoding.UTF8.GetBytes(hashed));
        Put(corpus, "known-hosts", $"openssh-{version}-markers", System.Text.Encoding.UTF8.GetBytes(
            $"# markers as ssh(8) documents them\n@cert-authority *.example,192.0.2.*,!bad.example {ca}\n@revoked * {revoked}\n" +
            $"host.example,192.0.2.7 {File.ReadAllText(Path.Combine(work, "ssh_host_ecdsa_key.pub")).Trim()}\n" + plain));
    }

    // ---- OpenSSH's ssh against Lucid's server code: ssh's user-auth requests and channel messages --------------

    private static async Task RecordLucidServerAsync(string corpus, string work, string version, string ssh)
    {
        var askpass = Path.Combine(work, "askpass");
        File.WriteAllText(askpass, $"#!/bin/sh\necho {Targets.FuzzServerBackend.Password}\n");
        File.SetUnixFileMode(askpass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var scenarios = new (string Name, string[] Args, string? Stdin)[]
        {
            ("publickey-ed25519-exec", ["-i", Path.Combine(work, "id_ed25519"), "-o", "SendEnv=LANG", "fuzz@127.0.0.1", "echo hello"], null),
            ("publickey-rsa-pty", ["-tt", "-i", Path.Combine(work, "id_rsa"), "fuzz@127.0.0.1", "tty"], null),
            ("publickey-ecdsa-stdin", ["-i", Path.Combine(work, "id_ecdsa"), "fuzz@127.0.0.1", "cat"], "data sent on stdin\n"),
            ("password", ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1", "fuzz@127.0.0.1", "true"], null),
            ("keyboard-interactive", ["-o", "PreferredAuthentications=keyboard-interactive", "fuzz@127.0.0.1", "true"], null),
            ("subsystem", ["-i", Path.Combine(work, "id_ed25519"), "-s", "fuzz@127.0.0.1", "sftp"], ""),
            ("shell-pty", ["-tt", "-i", Path.Combine(work, "id_ed25519"), "fuzz@127.0.0.1"], "exit\n"),
        };
        using var hostKey = SshPrivateKey.Generate("ssh-ed25519");
        var config = SshdConfig.Parse("PasswordAuthentication yes\nKbdInteractiveAuthentication yes\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n");
        var options = new SshServerOptions { Config = config, HostKeys = [hostKey], Backend = new RecordingBackend(RecordingKeys.AuthorizedKeys) };
        foreach (var scenario in scenarios)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var serve = ServeOnceAsync(listener, options);
            var args = SshOptions(work, port, batch: false).ToList();
            if (scenario.Name is "password" or "keyboard-interactive")
                args = [.. args.Select(a => a == "IdentitiesOnly=yes" ? "PubkeyAuthentication=no" : a)];
            Exec(ssh, [.. args, .. scenario.Args], allowFailure: true, stdin: scenario.Stdin,
                environment: new() { ["SSH_ASKPASS"] = askpass, ["SSH_ASKPASS_REQUIRE"] = "force", ["LANG"] = "C.UTF-8" });
            Console.WriteLine($"record: ssh {version} {scenario.Name} done");
            var (sessionId, received, authenticated) = await serve.WaitAsync(TimeSpan.FromSeconds(20));
            listener.Stop();
            Put(corpus, "userauth-server", $"openssh-{version}-ssh-{scenario.Name}", FuzzInput.Frame([sessionId, .. received.Take(authenticated)]));
            Put(corpus, "channel", $"openssh-{version}-ssh-{scenario.Name}", FuzzInput.Frame(received.Skip(authenticated)));
            Console.WriteLine($"record: ssh {version} vs Lucid server {scenario.Name}: {authenticated} auth messages, {received.Count - authenticated} after");
        }
    }

    private static async Task<(byte[] SessionId, List<byte[]> Received, int Authenticated)> ServeOnceAsync(TcpListener listener, SshServerOptions options)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var transport = await SshTransport.AcceptServerAsync(client.GetStream(), new ServerTransportOptions { HostKeys = options.HostKeys });
        var tap = new RecordingConnection(transport);
        var info = new ServerClientInfo("127.0.0.1", 1, "127.0.0.1", 22);
        int authenticated;
        var connection = new SshConnection(tap);
        try
        {
            var auth = await new ServerAuthenticator(tap, options, options.Config, info).RunAsync(CancellationToken.None);
            authenticated = tap.Mark();
            connection.ChannelOpenReceived = request =>
            {
                if (request.ChannelType == "session")
                    _ = new SshServerSession(request.Accept(), auth, info, options);
                else
                    request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed");
            };
            connection.Start();
            await connection.Completion.WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { });
        }
        catch (SshException)
        {
            authenticated = tap.Mark();
        }
        await connection.DisposeAsync();
        var sessionId = transport.SessionId.ToArray();
        await transport.DisposeAsync();
        return (sessionId, tap.Received, authenticated);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static async Task<SshdProcess> StartSshdAsync(string sshd, string work, string version, string[] extra)
    {
        int port = FreePort();
        var config = Path.Combine(work, $"sshd_config_{version}");
        File.WriteAllLines(config,
        [
            .. extra,
            $"Port {port}", "ListenAddress 127.0.0.1",
            $"HostKey {work}/ssh_host_ed25519_key", $"HostKey {work}/ssh_host_ecdsa_key", $"HostKey {work}/ssh_host_rsa_key",
            $"HostCertificate {work}/ssh_host_ed25519_key-cert.pub",
            $"AuthorizedKeysFile {work}/authorized_keys", "PidFile none", "StrictModes no", "UsePAM no", "PermitRootLogin yes",
            $"Banner {work}/banner", "LogLevel ERROR",
            "KexAlgorithms " + string.Join(',', KexMethods.Concat(version == "10.5" ? ["mlkem768x25519-sha256", "sntrup761x25519-sha512"] : ["sntrup761x25519-sha512"])),
            "HostKeyAlgorithms ssh-ed25519-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256",
        ]);
        var process = Process.Start(new ProcessStartInfo(sshd, ["-D", "-e", "-f", config]) { RedirectStandardError = true })!;
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new SshdProcess(process, port);
            }
            catch (SocketException)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"sshd {version} exited: {await process.StandardError.ReadToEndAsync()}");
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException($"sshd {version} did not start listening");
    }

    private sealed record SshdProcess(Process Process, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Process.Kill();
            await Process.WaitForExitAsync();
            Process.Dispose();
        }
    }

    private static string[] SshOptions(string work, int port, bool batch = true) =>
    [
        "-F", "none", "-p", port.ToString(), "-i", Path.Combine(work, "id_ed25519"), "-o", "IdentitiesOnly=yes", "-o", $"BatchMode={(batch ? "yes" : "no")}",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
    ];

    private static string Exec(string file, params string[] args) => Exec(file, args, allowFailure: false);

    private static string Exec(string file, string[] args, bool allowFailure, string? stdin = null, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var (key, value) in environment ?? [])
            info.Environment[key] = value;
        using var process = Process.Start(info)!;
        if (stdin is not null)
            process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        if (process.ExitCode != 0 && allowFailure && error.Result.Length > 0)
            Console.Error.WriteLine($"record: {Path.GetFileName(file)} exited {process.ExitCode}: {error.Result.Trim()}");
        if (process.ExitCode != 0 && !allowFailure)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {error.Result}");
        return output.Result;
    }

    private static void Put(string corpus, string target, string name, byte[] content)
    {
        var directory = Path.Combine(corpus, target);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name), content);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lucid.slnx")))
                return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
