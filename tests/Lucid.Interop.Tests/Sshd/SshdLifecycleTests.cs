using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>`lucid sshd` with no configuration, SIGHUP reloading the configuration, SIGTERM stopping cleanly.</summary>
public sealed class SshdLifecycleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-sshd-life-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private sealed class Running(Process process, StringBuilder log) : IAsyncDisposable
    {
        public Process Process => process;

        public string Log
        {
            get
            {
                lock (log)
                    return log.ToString();
            }
        }

        public async Task<string> WaitForAsync(string text)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!Log.Contains(text, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"never logged \"{text}\".\n--- log\n{Log}");
                await Task.Delay(50);
            }
            return Log;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }

    private static Running Start(IDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(global::Lucid.Interop.Tests.Lucid.Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("sshd");
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
            info.Environment[k] = v;
        var log = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (log)
                    log.Append(e.Data).Append('\n');
        };
        process.Start();
        process.BeginErrorReadLine();
        return new Running(process, log);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<string> ClientKeyAsync()
    {
        var key = Path.Combine(_dir, "id");
        if (!File.Exists(key))
            Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])).ExitCode);
        File.Copy(key + ".pub", Path.Combine(_dir, "authorized_keys"), overwrite: true);
        return key;
    }

    private static Task<ProcessResult> SshAsync(int port, string key, string command) => ProcessRunner.RunAsync("ssh",
    [
        "-F", "/dev/null", "-p", port.ToString(), "-i", key, "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
        "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-l", LucidSshd.TestUser, "127.0.0.1", command,
    ]);

    [Fact]
    public async Task With_no_configuration_it_makes_host_keys_once_and_says_how_to_connect()
    {
        await (await LucidSshd.StartAsync()).DisposeAsync(); // makes sure the test user exists
        var key = await ClientKeyAsync();
        var home = Path.Combine(_dir, "home");
        Directory.CreateDirectory(home);
        var env = new Dictionary<string, string> { ["HOME"] = home };
        var port = FreePort();
        string[] args = ["-p", port.ToString(), "-o", $"AuthorizedKeysFile {_dir}/authorized_keys", "-o", "StrictModes no"];

        string firstKey;
        await using (var server = Start(env, args))
        {
            var log = await server.WaitForAsync($"Server listening on 127.0.0.1 port {port}.");
            await server.WaitForAsync("connect with:");
            Assert.Contains($"  connect with:  ssh -p {port} root@127.0.0.1\n", server.Log);
            foreach (var type in new[] { "ed25519", "rsa" })
                Assert.True(File.Exists(Path.Combine(home, ".lucid", $"ssh_host_{type}_key")), type);
            // No ECDSA host key: the NIST curves are not among lucid sshd's defaults.
            Assert.False(File.Exists(Path.Combine(home, ".lucid", "ssh_host_ecdsa_key")));
            firstKey = File.ReadAllText(Path.Combine(home, ".lucid", "ssh_host_ed25519_key"));
            var r = await SshAsync(port, key, "echo hello");
            Assert.True(r.ExitCode == 0, r + "\n--- log\n" + server.Log);
            Assert.Equal("hello\n", r.StdOut);
        }
        await using (var again = Start(env, args))
        {
            await again.WaitForAsync($"Server listening on 127.0.0.1 port {port}.");
            Assert.Equal(firstKey, File.ReadAllText(Path.Combine(home, ".lucid", "ssh_host_ed25519_key")));
        }
    }

    /// <summary>
    /// An sshd_config of our own (listen address, a fresh host key, the test's authorized_keys) written to _dir, with
    /// the client key that logs in; Text is the configuration, for tests that rewrite it.
    /// </summary>
    private async Task<(int Port, string ClientKey, string Path, string Text)> MinimalConfigAsync()
    {
        await (await LucidSshd.StartAsync()).DisposeAsync(); // makes sure the test user exists
        var key = await ClientKeyAsync();
        var hostKey = Path.Combine(_dir, "host");
        Assert.Equal(0, (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey])).ExitCode);
        var port = FreePort();
        var config = Path.Combine(_dir, "sshd_config");
        var text = $"ListenAddress 127.0.0.1\nPort {port}\nHostKey {hostKey}\nAuthorizedKeysFile {_dir}/authorized_keys\nStrictModes no\n";
        await File.WriteAllTextAsync(config, text);
        return (port, key, config, text);
    }

    [Fact]
    public async Task Sighup_reloads_the_configuration_and_sigterm_stops()
    {
        var (port, key, config, common) = await MinimalConfigAsync();
        await using var server = Start(new Dictionary<string, string>(), "-D", "-e", "-f", config);
        await server.WaitForAsync("Server listening on");
        Assert.Equal("before\n", (await SshAsync(port, key, "echo before")).StdOut);

        await File.WriteAllTextAsync(config, "ForceCommand echo reloaded\n" + common);
        Assert.Equal(0, (await ProcessRunner.RunAsync("kill", ["-HUP", server.Process.Id.ToString()])).ExitCode);
        await server.WaitForAsync("Received SIGHUP; restarting.");
        Assert.Equal("reloaded\n", (await SshAsync(port, key, "echo before")).StdOut);

        Assert.Equal(0, (await ProcessRunner.RunAsync("kill", ["-TERM", server.Process.Id.ToString()])).ExitCode);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await server.Process.WaitForExitAsync(cts.Token);
        Assert.Equal(0, server.Process.ExitCode);
        Assert.Contains("Received signal 15; terminating.", server.Log);
    }

    [Fact]
    public async Task Dash_E_appends_the_log_to_a_file_instead_of_syslog()
    {
        var (port, key, config, _) = await MinimalConfigAsync();
        var logFile = Path.Combine(_dir, "sshd.log");
        await File.WriteAllTextAsync(logFile, "earlier line\n");
        await using var server = Start(new Dictionary<string, string>(), "-D", "-E", logFile, "-f", config);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.ReadAllText(logFile).Contains($"Server listening on 127.0.0.1 port {port}."))
        {
            Assert.True(DateTime.UtcNow < deadline, File.ReadAllText(logFile) + "\n--- stderr\n" + server.Log);
            await Task.Delay(50);
        }
        Assert.Equal("in\n", (await SshAsync(port, key, "echo in")).StdOut);
        while (!File.ReadAllText(logFile).Contains($"Disconnected from user {LucidSshd.TestUser} 127.0.0.1 port "))
        {
            Assert.True(DateTime.UtcNow < deadline, File.ReadAllText(logFile));
            await Task.Delay(50);
        }
        var log = File.ReadAllText(logFile);
        Assert.StartsWith("earlier line\nServer listening on", log);
        Assert.Contains($"Accepted publickey for {LucidSshd.TestUser} from 127.0.0.1 port ", log);
        Assert.DoesNotContain("Accepted publickey", server.Log);
    }
}
