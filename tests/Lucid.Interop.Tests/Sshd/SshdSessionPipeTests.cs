using System.Diagnostics;
using System.Globalization;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// The pipes between `lucid sshd` and a session's program (no pty): each holds 1 MiB, and an idle session costs
/// sshd no thread (its reads wait in the runtime's epoll engine, not in read(2) on a pool thread).
/// </summary>
public sealed class SshdSessionPipeTests
{
    [Fact]
    public async Task A_session_programs_stdin_stdout_and_stderr_pipes_hold_1_MiB()
    {
        await using var server = await LucidSshd.StartAsync();
        // F_GETPIPE_SZ is 1032.
        var r = await server.SshAsync("python3 -c 'import fcntl; print(*(fcntl.fcntl(fd, 1032) for fd in (0, 1, 2)))'");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1048576 1048576 1048576\n", r.StdOut);
    }

    [Fact]
    public async Task Twenty_idle_sessions_do_not_hold_a_thread_each()
    {
        await using var server = await LucidSshd.StartAsync("MaxStartups 100");
        // A first session brings up whatever sshd starts once (pool threads, timers, the child reaper).
        var warm = await server.SshAsync("true");
        Assert.True(warm.ExitCode == 0, warm.ToString());
        await Task.Delay(500);
        var before = Threads(server.ProcessId);

        // A duration no other test uses, to find these sleeps in /proc.
        var seconds = $"30.{Random.Shared.Next(100000, 999999).ToString(CultureInfo.InvariantCulture)}";
        var clients = new List<Process>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var info = new ProcessStartInfo("ssh")
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var a in server.SshArguments())
                    info.ArgumentList.Add(a);
                info.ArgumentList.Add($"sleep {seconds}");
                clients.Add(Process.Start(info)!);
            }

            // With a blocking read per pipe (two per session), the pool adds a thread about every half second
            // towards 40, and new sessions wait for those threads to start at all.
            var most = before;
            void Check(string when)
            {
                most = Math.Max(most, Threads(server.ProcessId));
                Assert.True(most - before < 10, $"sshd went from {before} to {most} threads {when}");
            }

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (Sleeping(seconds) < 20)
            {
                Check($"while {Sleeping(seconds)} of 20 idle sessions started");
                Assert.True(DateTime.UtcNow < deadline, $"only {Sleeping(seconds)} of 20 sessions started\n--- log\n{server.Log}");
                await Task.Delay(100);
            }
            for (var i = 0; i < 16; i++)
            {
                Check("with 20 idle sessions");
                await Task.Delay(500);
            }
        }
        finally
        {
            foreach (var c in clients)
            {
                try
                {
                    c.Kill();
                }
                catch (InvalidOperationException)
                {
                }
                c.Dispose();
            }
        }
    }

    private static int Threads(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim(),
            CultureInfo.InvariantCulture);

    private static int Sleeping(string seconds)
    {
        var wanted = $"sleep\0{seconds}\0";
        var count = 0;
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")) == wanted)
                    count++;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return count;
    }
}
