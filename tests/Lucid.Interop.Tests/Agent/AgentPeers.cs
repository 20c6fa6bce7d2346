using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Lucid.Interop.Tests.Agent;

/// <summary>
/// A scratch directory with keys made by ssh-keygen, an askpass script that answers from files in it, and a
/// running agent (lucid's or OpenSSH's) on a socket in it; the agent is killed on dispose.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class AgentScratch : IAsyncDisposable
{
    public const string DebianSshAdd = "/usr/bin/ssh-add";
    public const string DebianSshAgent = "/usr/bin/ssh-agent";

    private int _agentPid;

    private AgentScratch(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string Socket => Path.Combine(Directory, "agent.sock");

    /// <summary>What the askpass script prints: the contents of the file "answer" (a passphrase), exit 1 when it is missing.</summary>
    public string Askpass => Path.Combine(Directory, "askpass");

    /// <summary>Every prompt the askpass script was run with, one per line block.</summary>
    public string AskpassLog => File.Exists(Path.Combine(Directory, "prompts")) ? File.ReadAllText(Path.Combine(Directory, "prompts")) : "";

    public void Answer(string? text)
    {
        var path = Path.Combine(Directory, "answer");
        if (text is null)
            File.Delete(path);
        else
            File.WriteAllText(path, text + "\n");
    }

    public static AgentScratch Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("lucid-agent-").FullName;
        var scratch = new AgentScratch(directory);
        File.WriteAllText(scratch.Askpass,
            $"#!/bin/sh\nprintf '%s|%s\\n' \"$SSH_ASKPASS_PROMPT\" \"$1\" >> '{directory}/prompts'\n" +
            $"[ -f '{directory}/answer' ] || exit 1\ncat '{directory}/answer'\n");
        File.SetUnixFileMode(scratch.Askpass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return scratch;
    }

    /// <summary>ssh-keygen -t type (-N passphrase); the private key's path.</summary>
    public async Task<string> KeyAsync(string name, string type, string passphrase = "", string? comment = null)
    {
        var path = Path.Combine(Directory, name);
        var result = await ProcessRunner.RunAsync("ssh-keygen",
            ["-q", "-t", type, "-N", passphrase, "-C", comment ?? name, "-f", path]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return path;
    }

    public Dictionary<string, string> Environment => new()
    {
        ["SSH_AUTH_SOCK"] = Socket,
        ["SSH_ASKPASS"] = Askpass,
        ["SSH_ASKPASS_REQUIRE"] = "force",
        ["DISPLAY"] = ":0",
    };

    /// <summary>`lucid ssh-agent -a sock` as a user starts it (it goes to the background); its pid from the output.</summary>
    public async Task<ProcessResult> StartLucidAgentAsync(params string[] extra)
    {
        var result = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh-agent", "-s", "-a", Socket, .. extra], environment: Environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        _agentPid = int.Parse(AgentPid().Match(result.StdOut).Groups[1].Value, CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>Debian's OpenSSH ssh-agent on the socket, in the background.</summary>
    public async Task StartOpenSshAgentAsync()
    {
        var result = await ProcessRunner.RunAsync(DebianSshAgent, ["-s", "-a", Socket], environment: Environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        _agentPid = int.Parse(AgentPid().Match(result.StdOut).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public Task<ProcessResult> SshAddAsync(params string[] args) =>
        ProcessRunner.RunAsync(DebianSshAdd, args, environment: Environment, timeout: TimeSpan.FromSeconds(30), workingDirectory: Directory);

    public Task<ProcessResult> LucidSshAddAsync(params string[] args) =>
        ProcessRunner.RunAsync(Lucid.Executable, ["ssh-add", .. args], environment: Environment, timeout: TimeSpan.FromSeconds(30), workingDirectory: Directory);

    public static async Task<string> FingerprintLineAsync(string publicKeyPath)
    {
        var result = await ProcessRunner.RunAsync("ssh-keygen", ["-l", "-f", publicKeyPath]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut.TrimEnd('\n');
    }

    public bool AgentRunning => _agentPid != 0 && File.Exists($"/proc/{_agentPid}/status") &&
        !File.ReadAllText($"/proc/{_agentPid}/status").Contains("State:\tZ", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (_agentPid != 0)
        {
            try
            {
                using var process = Process.GetProcessById(_agentPid);
                process.Kill();
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or OperationCanceledException)
            {
            }
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"SSH_AGENT_PID=(\d+)")]
    private static partial Regex AgentPid();
}
