using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>One version number, from Directory.Build.props, in the banner and every -V.</summary>
public sealed class SshdVersionTests
{
    private static string Lucid => global::Lucid.Interop.Tests.Lucid.Executable;

    private static string ConfiguredVersion()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var props = Path.Combine(dir.FullName, "Directory.Build.props");
            if (File.Exists(props) && Regex.Match(File.ReadAllText(props), @"<Version>(\d+)\.(\d+)\.\d+</Version>") is { Success: true } m)
                return $"{m.Groups[1].Value}.{m.Groups[2].Value}";
        }
        throw new FileNotFoundException("Directory.Build.props with a <Version>");
    }

    [Fact]
    public async Task The_banner_and_every_dash_V_show_the_version_in_Directory_Build_props()
    {
        var version = ConfiguredVersion();
        Assert.Equal($"Lucid {version}\n", (await ProcessRunner.RunAsync(Lucid, ["-V"])).StdOut);
        Assert.Equal($"Lucid_{version}, OpenSSH-compatible\n", (await ProcessRunner.RunAsync(Lucid, ["sshd", "-V"])).StdErr);
        Assert.Equal($"Lucid_{version}, OpenSSH-compatible\n", (await ProcessRunner.RunAsync(Lucid, ["ssh", "-V"])).StdErr);

        using var scratch = await SshdScratch.CreateAsync("version");
        await using var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath]);
        await server.WaitForOutputAsync("Server listening on");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", scratch.Port);
        using var reader = new StreamReader(client.GetStream());
        Assert.Equal($"SSH-2.0-Lucid_{version}", await reader.ReadLineAsync());
    }

    /// <summary>With no syslog daemon to take them (a container), the log lines go to stderr rather than nowhere.</summary>
    [Fact]
    public async Task Without_a_syslog_daemon_the_log_goes_to_stderr()
    {
        using var scratch = await SshdScratch.CreateAsync("nosyslog");
        await using var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-f", scratch.ConfigPath],
            new Dictionary<string, string> { ["LUCID_SYSLOG_SOCKET"] = Path.Combine(scratch.Directory, "no-daemon-here") });
        await server.WaitForOutputAsync($"Server listening on 127.0.0.1 port {scratch.Port}.");
        Assert.Equal("in\n", (await scratch.SshAsync("echo in")).StdOut);
        await server.WaitForOutputAsync($"Accepted publickey for {LucidSshd.TestUser} from 127.0.0.1 port ");
    }
}
