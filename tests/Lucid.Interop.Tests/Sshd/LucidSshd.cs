using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// `lucid sshd -D -e -f config` on 127.0.0.1 and a free port, with host keys of every type, a client key
/// of every type authorized for <see cref="TestUser"/>, and the log collected for assertions.
/// Test config lines come first (sshd keeps the first value); Match blocks go last.
/// </summary>
public sealed class LucidSshd : IAsyncDisposable
{
    public static readonly IReadOnlyList<string> KeyTypes = ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa"];

    /// <summary>
    /// The account sessions run as: a fresh user with Debian's skeleton dot files, so nothing from root's own
    /// shell start-up (slow or locking tools in ~/.bashrc) gets into the tests. Created once (useradd; the
    /// tests run as root).
    /// </summary>
    public const string TestUser = "lucidsshdtest";

    private static readonly Lazy<Task> UserReady = new(async () =>
    {
        if (await ProcessRunner.RunAsync("id", [TestUser]) is { ExitCode: not 0 })
        {
            var add = await ProcessRunner.RunAsync("useradd", ["-m", "-s", "/bin/bash", TestUser]);
            if (add.ExitCode is not (0 or 9))
                throw new InvalidOperationException(add.ToString());
        }
        await TestAccounts.AllowKeyLoginsAsync(TestUser);
    });

    /// <summary>Creates <see cref="TestUser"/> when it does not exist yet.</summary>
    public static Task EnsureTestUserAsync() => UserReady.Value;

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Lock _logLock = new();

    private LucidSshd(string directory, int port, Process process)
    {
        Directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }
    public string Directory { get; }
    public string AuthorizedKeysPath => Path.Combine(Directory, "authorized_keys");
    public string ClientKeyPath(string type = "ed25519") => Path.Combine(Directory, $"id_{type}");
    public string HostKeyPath(string type) => Path.Combine(Directory, $"ssh_host_{type}_key");
    public int ProcessId => _process.Id;

    public string Log
    {
        get
        {
            lock (_logLock)
                return _log.ToString();
        }
    }

    public static Task<LucidSshd> StartAsync(params string[] extraConfig) => StartAsync(null, syslog: false, extraConfig);

    /// <summary>
    /// Starts the server with extra environment variables and, with <paramref name="syslog"/>, logging to syslog
    /// (no -e) through a datagram socket of the test's own ($LUCID_SYSLOG_SOCKET): each datagram is kept
    /// as received in <see cref="SyslogDatagrams"/>, and its text also goes into <see cref="Log"/>.
    /// </summary>
    public static Task<LucidSshd> StartAsync(IDictionary<string, string>? environment, bool syslog, params string[] extraConfig) =>
        StartAsync(environment, syslog, openSsh105: false, extraConfig);

    /// <summary>
    /// The same server set-up run by OpenSSH 10.5p1's sshd (from $LUCID_OPENSSH105, built by test.sh) instead of
    /// `lucid sshd`, so a test can hold Lucid's behaviour beside the reference's on identical configuration.
    /// </summary>
    public static Task<LucidSshd> StartOpenSsh105Async(params string[] extraConfig) =>
        StartAsync(null, syslog: false, openSsh105: true, extraConfig);

    private static async Task<LucidSshd> StartAsync(IDictionary<string, string>? environment, bool syslog, bool openSsh105, string[] extraConfig)
    {
        var keys = await Keys.Value;
        await UserReady.Value;
        var directory = System.IO.Directory.CreateTempSubdirectory("lucid-sshd-e2e-").FullName;
        foreach (var type in KeyTypes)
        {
            Copy(Path.Combine(keys, $"host_{type}"), Path.Combine(directory, $"ssh_host_{type}_key"));
            Copy(Path.Combine(keys, $"client_{type}"), Path.Combine(directory, $"id_{type}"));
        }
        await File.WriteAllLinesAsync(Path.Combine(directory, "authorized_keys"),
            KeyTypes.Select(t => File.ReadAllText(Path.Combine(directory, $"id_{t}.pub")).Trim()));
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var config = Config(directory, port, extraConfig);
            if (openSsh105 && !OperatingSystem.IsWindows())
            {
                // OpenSSH reads authorized_keys as the user, who must be able to reach it (the files' own modes stay).
                File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
                File.SetUnixFileMode(Path.Combine(directory, "authorized_keys"), (UnixFileMode)0b110_100_100);
            }
            if (openSsh105)
                config = $"SshdSessionPath {OpenSsh105.Path("sshd-session")}\nSshdAuthPath {OpenSsh105.Path("sshd-auth")}\nPidFile none\n" + config;
            await File.WriteAllTextAsync(Path.Combine(directory, "sshd_config"), config);
            var info = new ProcessStartInfo(openSsh105 ? OpenSsh105.Path("sshd") : global::Lucid.Interop.Tests.Lucid.Executable)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            foreach (var a in new[] { "sshd", "-D", "-e", "-f", Path.Combine(directory, "sshd_config") }.Skip(openSsh105 ? 1 : 0))
                if (!(syslog && a == "-e"))
                    info.ArgumentList.Add(a);
            foreach (var (k, v) in environment ?? new Dictionary<string, string>())
                info.Environment[k] = v;
            var process = new Process { StartInfo = info };
            var server = new LucidSshd(directory, port, process);
            if (syslog)
            {
                var socketPath = Path.Combine(directory, $"log{attempt}");
                info.Environment["LUCID_SYSLOG_SOCKET"] = socketPath;
                server.ListenForSyslog(socketPath);
            }
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.Start();
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            try
            {
                await server.WaitForLogAsync("Server listening on", TimeSpan.FromSeconds(30));
                return server;
            }
            catch (TimeoutException) when (attempt < 2 && server.Log.Contains("Bind to port"))
            {
                await server.StopAsync();
            }
            catch (TimeoutException)
            {
                var log = server.Log;
                await server.DisposeAsync();
                throw new InvalidOperationException($"lucid sshd did not start.\n--- log\n{log}");
            }
        }
    }

    private static string Config(string directory, int port, string[] extra)
    {
        var match = Array.FindIndex(extra, l => l.TrimStart().StartsWith("Match ", StringComparison.OrdinalIgnoreCase));
        var before = match < 0 ? extra : extra[..match];
        var after = match < 0 ? [] : extra[match..];
        var sb = new StringBuilder();
        foreach (var line in before)
            sb.Append(line).Append('\n');
        sb.Append($"ListenAddress 127.0.0.1\nPort {port}\n");
        foreach (var type in KeyTypes)
            sb.Append($"HostKey {Path.Combine(directory, $"ssh_host_{type}_key")}\n");
        sb.Append($"AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}\n");
        sb.Append("StrictModes no\nPermitRootLogin yes\nLogLevel VERBOSE\nSubsystem sftp /usr/lib/openssh/sftp-server\n");
        // lucid sshd leaves the NIST curves out of its defaults; the tests exercise every host key type, so bring them back.
        sb.Append("KexAlgorithms +ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521\n");
        sb.Append("HostKeyAlgorithms +ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521\n");
        // Tests make many failing connections from 127.0.0.1 in a row; OpenSSH 10's default penalties would refuse
        // them. A test that sets PerSourcePenalties itself comes first and wins (as OpenSSH's regress suite does).
        sb.Append("PerSourcePenalties no\n");
        foreach (var line in after)
            sb.Append(line).Append('\n');
        return sb.ToString();
    }

    /// <summary>ssh's arguments for this server: no user config, no known_hosts prompts, one key, batch mode.</summary>
    public string[] SshArguments(string keyType = "ed25519", string user = TestUser) =>
    [
        "-F", "/dev/null", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", ClientKeyPath(keyType),
        "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR",
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-l", user, "127.0.0.1",
    ];

    /// <summary>Runs OpenSSH's ssh with <paramref name="options"/> before the destination and <paramref name="command"/> after it.</summary>
    public Task<ProcessResult> SshAsync(string command, string[]? options = null, string? stdin = null, string keyType = "ed25519",
        string user = TestUser, IDictionary<string, string>? environment = null)
    {
        var args = new List<string>(options ?? []);
        args.AddRange(SshArguments(keyType, user));
        args.Add(command);
        return ProcessRunner.RunAsync("ssh", args, stdin, environment, TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits for <paramref name="text"/> in the log, looking only past the first <paramref name="since"/>
    /// characters (a <see cref="Log"/>.Length taken earlier) when a line like it was logged before.</summary>
    public async Task<string> WaitForLogAsync(string text, TimeSpan? timeout = null, int since = 0)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var log = Log;
            if (log.AsSpan(Math.Min(since, log.Length)).Contains(text, StringComparison.Ordinal))
                return log;
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"lucid sshd log never contained \"{text}\".\n--- log\n{log}");
            await Task.Delay(50);
        }
    }

    private Socket? _syslogSocket;
    private readonly List<string> _syslog = [];

    /// <summary>What arrived on the syslog socket, one datagram per entry, exactly as sent.</summary>
    public IReadOnlyList<string> SyslogDatagrams
    {
        get
        {
            lock (_logLock)
                return _syslog.ToList();
        }
    }

    private void ListenForSyslog(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        _syslogSocket = socket;
        _ = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            try
            {
                while (true)
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                    var datagram = Encoding.UTF8.GetString(buffer, 0, n);
                    lock (_logLock)
                        _syslog.Add(datagram);
                    Append(datagram);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The server is being disposed.
            }
        });
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_logLock)
            _log.Append(line).Append('\n');
    }

    private async Task StopAsync()
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _syslogSocket?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Copy(string from, string to)
    {
        File.Copy(from, to);
        File.Copy(from + ".pub", to + ".pub");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(to, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static readonly Lazy<Task<string>> Keys = new(async () =>
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("lucid-sshd-e2e-keys-").FullName;
        var jobs = new List<Task<ProcessResult>>();
        foreach (var type in KeyTypes)
            foreach (var role in new[] { "host", "client" })
            {
                var (t, bits) = type switch
                {
                    "ecdsa256" => ("ecdsa", "256"),
                    "ecdsa384" => ("ecdsa", "384"),
                    "ecdsa521" => ("ecdsa", "521"),
                    "rsa" => ("rsa", "3072"),
                    _ => ("ed25519", "256"),
                };
                jobs.Add(ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", t, "-b", bits, "-N", "", "-C", $"{role}-{type}", "-f", Path.Combine(directory, $"{role}_{type}")]));
            }
        foreach (var r in await Task.WhenAll(jobs))
            if (r.ExitCode != 0)
                throw new InvalidOperationException(r.ToString());
        return directory;
    });
}

/// <summary>One default server shared by the tests that need nothing special.</summary>
public sealed class LucidSshdFixture : IAsyncLifetime
{
    public LucidSshd Server { get; private set; } = null!;

    /// <summary>
    /// The finite-field DH methods OpenSSH 10's sshd, and so lucid sshd, no longer offers by default, and the NIST curves
    /// lucid sshd leaves out, for the tests that pin one (the first KexAlgorithms line wins, so both go in this one); the
    /// defaults themselves (post-quantum first) stay in front.
    /// </summary>
    public const string DhKex =
        "KexAlgorithms +diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256," +
        "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521";

    public async Task InitializeAsync() => Server = await LucidSshd.StartAsync(DhKex);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
