using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// A directory with what a `lucid sshd` of the test's own needs: a host key, a client key authorized for
/// <see cref="LucidSshd.TestUser"/>, a free port and an sshd_config naming them (rewritable with <see cref="WriteConfig"/>).
/// </summary>
public sealed class SshdScratch : IDisposable
{
    private SshdScratch(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }
    public int Port { get; }
    public string ConfigPath => Path.Combine(Directory, "sshd_config");
    public string ClientKey => Path.Combine(Directory, "id");
    public string HostKey => Path.Combine(Directory, "host");
    public string PidFile => Path.Combine(Directory, "sshd.pid");
    public string LogFile => Path.Combine(Directory, "sshd.log");

    /// <summary>The lines every configuration here has: listen address, host key, authorized keys, PidFile.</summary>
    public string CommonConfig =>
        $"ListenAddress 127.0.0.1\nPort {Port}\nHostKey {HostKey}\nAuthorizedKeysFile {Directory}/authorized_keys\n" +
        $"StrictModes no\nPidFile {PidFile}\nSubsystem sftp /usr/lib/openssh/sftp-server\n";

    public static async Task<SshdScratch> CreateAsync(string name)
    {
        await LucidSshd.EnsureTestUserAsync();
        var directory = System.IO.Directory.CreateTempSubdirectory($"lucid-{name}-").FullName;
        var scratch = new SshdScratch(directory, FreePort());
        foreach (var key in new[] { scratch.ClientKey, scratch.HostKey })
        {
            var r = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
            Assert.True(r.ExitCode == 0, r.ToString());
        }
        File.Copy(scratch.ClientKey + ".pub", Path.Combine(directory, "authorized_keys"));
        scratch.WriteConfig("");
        return scratch;
    }

    /// <summary>Writes sshd_config: <paramref name="first"/> (sshd keeps the first value of a keyword), then the common lines.</summary>
    public void WriteConfig(string first) => File.WriteAllText(ConfigPath, first + CommonConfig);

    /// <summary>OpenSSH's ssh options for this server, before the destination.</summary>
    public List<string> SshOptions(int? port = null) =>
    [
        "-F", "/dev/null", "-p", (port ?? Port).ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", ClientKey,
        "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
        "-o", "IdentitiesOnly=yes", "-l", LucidSshd.TestUser,
    ];

    public Task<ProcessResult> SshAsync(string command, int? port = null)
    {
        var args = SshOptions(port);
        args.Add("127.0.0.1");
        args.Add(command);
        return ProcessRunner.RunAsync("ssh", args, timeout: TimeSpan.FromSeconds(60));
    }

    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> and the log otherwise.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}\n--- log\n{Log}");
            await Task.Delay(50);
        }
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].StartsWith('Z');
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException)
        {
            return false;
        }
    }

    public static Task<ProcessResult> SignalAsync(int pid, string signal) => ProcessRunner.RunAsync("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // A server a failed test left behind.
        if (File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) && IsRunning(pid))
            Process.GetProcessById(pid).Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A process whose stdout and stderr are collected as they arrive (a server in the foreground, a live ssh session).</summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();

    private RunningProcess(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static RunningProcess Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            info.Environment[k] = v;
        var running = new RunningProcess(new Process { StartInfo = info });
        running.Process.OutputDataReceived += (_, e) => running.Append(e.Data);
        running.Process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        running.Process.Start();
        running.Process.BeginOutputReadLine();
        running.Process.BeginErrorReadLine();
        return running;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.Append(line).Append('\n');
    }

    public async Task WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || Process.HasExited)
                throw new TimeoutException($"never printed \"{text}\".\n--- output\n{Output}");
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Process.WaitForExitAsync(cts.Token);
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process.Dispose();
    }
}
