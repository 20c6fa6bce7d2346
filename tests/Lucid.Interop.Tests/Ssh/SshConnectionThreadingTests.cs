using System.Diagnostics;
using Lucid.Interop.Tests.Fixtures;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// `lucid ssh` keeps its connection out of the runtime's epoll engine: the socket is connected and used with
/// blocking calls on its own threads (BlockingSocketStream), so no epoll thread is woken per arrival and no pool
/// thread per read. Asynchronous use of the socket at any point (connect, read, write) would register it for good.
/// </summary>
public sealed class SshConnectionThreadingTests : IAsyncLifetime
{
    private OpenSshServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_connections_socket_is_in_no_epoll_set_while_a_session_runs()
    {
        var start = new ProcessStartInfo(Lucid.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["ssh", .. _server.SshArguments(), "echo ready; head -c 300000 /dev/zero; sleep 20"])
            start.ArgumentList.Add(arg);
        using var ssh = Process.Start(start)!;
        try
        {
            // Authenticated, the session running and 300 KB received and written out: every path has been used.
            var ready = await ssh.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("ready", ready);
            var buffer = new char[300_000];
            await ssh.StandardOutput.ReadBlockAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            ssh.StandardInput.Write("typed\n"); // the write direction too
            ssh.StandardInput.Flush();
            await Task.Delay(300);

            var sockets = TcpSocketDescriptors(ssh.Id);
            Assert.Single(sockets);
            var watched = EpollWatchedDescriptors(ssh.Id);
            Assert.DoesNotContain(sockets[0], watched);
        }
        finally
        {
            ssh.Kill();
            await ssh.WaitForExitAsync();
        }
    }

    /// <summary>The process's descriptors that are TCP sockets (inodes listed in /proc/net/tcp and tcp6).</summary>
    private static List<int> TcpSocketDescriptors(int pid)
    {
        var tcpInodes = File.ReadLines("/proc/net/tcp").Concat(File.ReadLines("/proc/net/tcp6")).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 9).Select(fields => fields[9]).ToHashSet();
        var result = new List<int>();
        foreach (var entry in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(entry).LinkTarget ?? "";
            if (target.StartsWith("socket:[", StringComparison.Ordinal) && tcpInodes.Contains(target[8..^1]))
                result.Add(int.Parse(Path.GetFileName(entry)));
        }
        return result;
    }

    /// <summary>Every descriptor registered in any of the process's epoll instances ("tfd:" lines of fdinfo).</summary>
    private static HashSet<int> EpollWatchedDescriptors(int pid)
    {
        var watched = new HashSet<int>();
        foreach (var info in Directory.GetFiles($"/proc/{pid}/fdinfo"))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(info);
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            foreach (var line in lines.Where(l => l.StartsWith("tfd:", StringComparison.Ordinal)))
                watched.Add(int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        }
        return watched;
    }
}
