using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Interop.Tests.Fixtures;

/// <summary>
/// A real OpenSSH sshd (/usr/sbin/sshd -D -e) on 127.0.0.1 and a free port, running from a temp directory
/// with host keys of every type, an authorized_keys holding a client key of every type for the current
/// user, and every algorithm OpenSSH knows enabled (legacy ones too) so a test can pin exactly one.
/// Its stderr (LogLevel DEBUG1 unless overridden) is collected for assertions. Dispose kills it.
/// </summary>
/// <remarks>
/// Extra config lines come first in the generated sshd_config because sshd keeps the first value it reads
/// for most keywords; so a test's `Ciphers aes128-ctr` wins over the fixture's "everything" default.
/// Lines from the first `Match` on are placed at the end, where Match blocks must live.
/// </remarks>
public sealed class OpenSshServer : IAsyncDisposable
{
    public const string SshdPath = "/usr/sbin/sshd";

    /// <summary>The key types generated for host and client keys, by short name.</summary>
    public static readonly IReadOnlyList<string> KeyTypes = ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa"];

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly object _logLock = new();

    private OpenSshServer(string directory, int port, Process process, string configText, OpenSshPeer peer)
    {
        Peer = peer;
        Directory = directory;
        Port = port;
        _process = process;
        ConfigText = configText;
    }

    /// <summary>Which OpenSSH this is (Debian's 9.2 unless started with another build).</summary>
    public OpenSshPeer Peer { get; }

    public string Host => "127.0.0.1";
    public int Port { get; }

    /// <summary>The server's temp directory (config, host keys, authorized_keys, client keys, known_hosts).</summary>
    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "sshd_config");
    public string ConfigText { get; }
    public string AuthorizedKeysPath => Path.Combine(Directory, "authorized_keys");

    /// <summary>A known_hosts file listing every host key of this server as "[127.0.0.1]:port".</summary>
    public string KnownHostsPath => Path.Combine(Directory, "known_hosts");

    /// <summary>The user the client keys are authorized for (the current user).</summary>
    public string User => Environment.UserName;

    /// <summary>Private host key file (OpenSSH format) for a key type from <see cref="KeyTypes"/>; ".pub" beside it.</summary>
    public string HostKeyPath(string keyType) => Path.Combine(Directory, $"ssh_host_{Check(keyType)}_key");

    /// <summary>Private client key file (OpenSSH format, no passphrase) authorized for <see cref="User"/>; ".pub" beside it.</summary>
    public string ClientKeyPath(string keyType) => Path.Combine(Directory, $"id_{Check(keyType)}");

    /// <summary>Everything sshd has written to stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_logLock)
                return _log.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts sshd with the given extra sshd_config lines and waits until it accepts connections.</summary>
    public static Task<OpenSshServer> StartAsync(params string[] extraConfig) => StartAsync(OpenSshPeer.Debian92, extraConfig);

    /// <summary>Starts another OpenSSH build's sshd (OpenSSH 10.5: its session and auth helpers are configured).</summary>
    public static async Task<OpenSshServer> StartAsync(OpenSshPeer peer, params string[] extraConfig)
    {
        var keys = await KeyMaterial.GetAsync();
        if (!System.IO.Directory.Exists("/run/sshd"))
            System.IO.Directory.CreateDirectory("/run/sshd"); // sshd's privilege-separation directory

        var directory = System.IO.Directory.CreateTempSubdirectory("lucid-sshd-").FullName;
        foreach (var type in KeyTypes)
        {
            CopyKey(Path.Combine(keys, $"host_{type}"), Path.Combine(directory, $"ssh_host_{type}_key"));
            CopyKey(Path.Combine(keys, $"client_{type}"), Path.Combine(directory, $"id_{type}"));
        }
        await File.WriteAllLinesAsync(Path.Combine(directory, "authorized_keys"),
            KeyTypes.Select(t => File.ReadAllText(Path.Combine(directory, $"id_{t}.pub")).Trim()));

        for (int attempt = 0; ; attempt++)
        {
            int port = FreePort();
            System.IO.Directory.CreateDirectory(Path.Combine(directory, "home"));
            var config = BuildConfig(directory, port, [.. peer.SshdConfig, .. extraConfig], peer);
            await File.WriteAllTextAsync(Path.Combine(directory, "sshd_config"), config);
            await File.WriteAllLinesAsync(Path.Combine(directory, "known_hosts"),
                KeyTypes.Select(t => $"[127.0.0.1]:{port} " + PublicKeyText(Path.Combine(directory, $"ssh_host_{t}_key.pub"))));

            var server = Launch(directory, port, config, peer);
            try
            {
                await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
                return server;
            }
            catch (Exception) when (attempt < 2 && server.Log.Contains("Address already in use"))
            {
                await server.KillAsync(); // the free port was taken between probing and binding; try another
            }
            catch
            {
                var log = server.Log;
                await server.DisposeAsync();
                throw new InvalidOperationException($"sshd did not start.\n--- config\n{config}\n--- log\n{log}");
            }
        }
    }

    /// <summary>Waits until the log contains <paramref name="text"/> (sshd logs asynchronously to the client's view).</summary>
    public async Task<string> WaitForLogAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var log = Log;
            if (log.Contains(text, StringComparison.Ordinal))
                return log;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"sshd log never contained \"{text}\".\n--- log\n{log}");
            await Task.Delay(50);
        }
    }

    /// <summary>Opens a TCP connection to the server.</summary>
    public async Task<TcpClient> ConnectTcpAsync(CancellationToken cancellationToken = default)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        return client;
    }

    /// <summary>Arguments for OpenSSH's ssh client pointing at this server with its known_hosts and a client key.</summary>
    public string[] SshArguments(string keyType = "ed25519") =>
    [
        "-F", "/dev/null", "-p", Port.ToString(), "-i", ClientKeyPath(keyType),
        "-o", "UserKnownHostsFile=" + KnownHostsPath, "-o", "StrictHostKeyChecking=yes",
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-l", User, Host,
    ];

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static OpenSshServer Launch(string directory, int port, string config, OpenSshPeer peer)
    {
        var info = new ProcessStartInfo(peer.SshdPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "-D", "-e", "-f", Path.Combine(directory, "sshd_config") })
            info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new OpenSshServer(directory, port, process, config, peer);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_logLock)
            _log.Append(line).Append('\n');
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException("sshd exited");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                // A banner proves sshd itself answered, not some other listener that grabbed the port.
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var line = await reader.ReadLineAsync(cts.Token);
                if (line is not null && line.StartsWith("SSH-2.0-OpenSSH", StringComparison.Ordinal))
                    return;
            }
            catch (SocketException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("sshd did not accept connections in time");
            await Task.Delay(50);
        }
    }

    private static string BuildConfig(string directory, int port, string[] extraConfig, OpenSshPeer peer)
    {
        int match = Array.FindIndex(extraConfig, l => l.TrimStart().StartsWith("Match ", StringComparison.OrdinalIgnoreCase));
        var before = match < 0 ? extraConfig : extraConfig[..match];
        var after = match < 0 ? [] : extraConfig[match..];

        var sb = new StringBuilder();
        sb.Append("# generated by Lucid.Interop.Tests; test lines first (sshd keeps the first value)\n");
        foreach (var line in before)
            sb.Append(line).Append('\n');
        sb.Append("# fixture defaults\n");
        sb.Append($"ListenAddress 127.0.0.1\nPort {port}\n");
        foreach (var type in KeyTypes)
            sb.Append($"HostKey {Path.Combine(directory, $"ssh_host_{type}_key")}\n");
        sb.Append($"AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}\n");
        sb.Append("PidFile none\n");
        sb.Append("StrictModes no\n");
        sb.Append("UsePAM no\n");
        sb.Append("PermitRootLogin yes\n");
        sb.Append("LogLevel DEBUG1\n");
        sb.Append("PrintMotd no\n");
        // The tests log in as the user running them (often root), whose ~/.bashrc may be anything: Debian's bash reads
        // it for every command sshd runs, and a developer's (pyenv, nvm, ...) can cost most of a second of CPU each
        // time. An empty HOME keeps each command what the test wrote; sshd still starts it in the real home directory.
        sb.Append($"SetEnv HOME={Path.Combine(directory, "home")}\n");
        sb.Append("Subsystem sftp /usr/lib/openssh/sftp-server\n");
        // Everything OpenSSH 9.2 implements, so any single algorithm can be selected by the client.
        sb.Append("KexAlgorithms ").Append(AllKex).Append(peer == OpenSshPeer.Debian92 ? "" : "," + PostQuantumKex).Append('\n');
        sb.Append("Ciphers ").Append(AllCiphers).Append('\n');
        sb.Append("MACs ").Append(AllMacs).Append('\n');
        sb.Append("HostKeyAlgorithms ").Append(AllHostKeyAlgorithms).Append('\n');
        sb.Append("PubkeyAcceptedAlgorithms ").Append(AllHostKeyAlgorithms).Append('\n');
        foreach (var line in after)
            sb.Append(line).Append('\n');
        return sb.ToString();
    }

    public const string AllKex =
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521," +
        "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512," +
        "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,diffie-hellman-group14-sha1," +
        "diffie-hellman-group1-sha1,diffie-hellman-group-exchange-sha1";

    /// <summary>What OpenSSH 10 adds to <see cref="AllKex"/>.</summary>
    public const string PostQuantumKex = "mlkem768x25519-sha256,mlkem768nistp256-sha256";

    public const string AllCiphers =
        "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com," +
        "aes128-cbc,aes192-cbc,aes256-cbc,3des-cbc";

    public const string AllMacs =
        "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com," +
        "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1," +
        "hmac-sha1-96,hmac-md5,hmac-md5-96,hmac-sha1-96-etm@openssh.com,hmac-md5-etm@openssh.com,hmac-md5-96-etm@openssh.com";

    public const string AllHostKeyAlgorithms =
        "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa," +
        "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com," +
        "ecdsa-sha2-nistp521-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com," +
        "ssh-rsa-cert-v01@openssh.com";

    private static string PublicKeyText(string pubPath)
    {
        var parts = File.ReadAllText(pubPath).Trim().Split(' ');
        return parts[0] + " " + parts[1];
    }

    private static void CopyKey(string from, string to)
    {
        File.Copy(from, to);
        File.Copy(from + ".pub", to + ".pub");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(to, UnixFileMode.UserRead | UnixFileMode.UserWrite); // sshd and ssh refuse readable private keys
    }

    private static string Check(string keyType) =>
        KeyTypes.Contains(keyType) ? keyType : throw new ArgumentException($"unknown key type {keyType}", nameof(keyType));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Host and client keys generated once per test run by ssh-keygen and copied into each server.</summary>
    private static class KeyMaterial
    {
        private static readonly Lazy<Task<string>> Keys = new(GenerateAsync);

        public static Task<string> GetAsync() => Keys.Value;

        private static async Task<string> GenerateAsync()
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("lucid-sshd-keys-").FullName;
            var jobs = new List<Task>();
            foreach (var type in KeyTypes)
            {
                jobs.Add(KeygenAsync(type, Path.Combine(directory, $"host_{type}")));
                jobs.Add(KeygenAsync(type, Path.Combine(directory, $"client_{type}")));
            }
            await Task.WhenAll(jobs);
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    System.IO.Directory.Delete(directory, true);
                }
                catch (IOException)
                {
                }
            };
            return directory;
        }

        private static async Task KeygenAsync(string type, string path)
        {
            string[] typeArgs = type switch
            {
                "ed25519" => ["-t", "ed25519"],
                "ecdsa256" => ["-t", "ecdsa", "-b", "256"],
                "ecdsa384" => ["-t", "ecdsa", "-b", "384"],
                "ecdsa521" => ["-t", "ecdsa", "-b", "521"],
                "rsa" => ["-t", "rsa", "-b", "2048"],
                _ => throw new ArgumentException(type),
            };
            var result = await ProcessRunner.RunAsync("ssh-keygen",
                [.. typeArgs, "-q", "-N", "", "-C", $"lucid-test-{type}", "-f", path]);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"ssh-keygen failed for {type}: {result}");
        }
    }
}
