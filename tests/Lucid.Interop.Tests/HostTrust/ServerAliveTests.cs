using System.Diagnostics;
using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>ServerAliveInterval/CountMax against an sshd that stops answering (SIGSTOP).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServerAliveTests
{
    /// <summary>The sshd started with this config and all its descendants (the per-connection processes).</summary>
    private static List<int> SshdTree(string configPath)
    {
        var parents = new Dictionary<int, int>();
        int? root = null;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(configPath, StringComparison.Ordinal))
                    root ??= pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        var tree = new List<int>();
        if (root is null)
            return tree;
        tree.Add(root.Value);
        for (var i = 0; i < tree.Count; i++)
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        return tree;
    }

    private static void Signal(IEnumerable<int> pids, string signal)
    {
        foreach (var pid in pids)
            Process.Start("kill", ["-" + signal, pid.ToString()])!.WaitForExit();
    }

    [Fact]
    public async Task A_stopped_server_is_detected_and_ssh_exits_255()
    {
        await using var server = await OpenSshServer.StartAsync("LogLevel VERBOSE");
        var run = Lucid.RunAsync(["ssh", "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=2", .. server.SshArguments(), "sleep 60"]);
        await server.WaitForLogAsync("Accepted publickey");
        await Task.Delay(1500); // the session is running and keepalives are being answered
        var tree = SshdTree(server.ConfigPath);
        Assert.True(tree.Count >= 2, "no per-connection sshd found");
        Signal(tree, "STOP");
        try
        {
            var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(255, result.ExitCode);
            Assert.Equal("Timeout, server 127.0.0.1 not responding.\r\n", result.StdErr);
        }
        finally
        {
            Signal(tree, "CONT");
        }
    }
}
