using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

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

    /// <summary>
    /// 8 MiB into a program that sleeps before it reads: the 1 MiB pipe fills, sshd's direct write takes what fits
    /// and the rest waits for the program; what it reads hashes the same. Lucid's client sends 128 KiB packets, each
    /// spanning two or three of the channel's 64 KiB blocks, which sshd writes to the pipe with one writev(2).
    /// </summary>
    [Theory]
    [InlineData("ssh")]
    [InlineData("lucid")]
    public async Task Input_larger_than_the_pipe_reaches_a_program_that_reads_late_intact(string client)
    {
        await using var server = await LucidSshd.StartAsync();
        var dir = System.IO.Directory.CreateTempSubdirectory("lucid-pipe-").FullName;
        try
        {
            var input = Path.Combine(dir, "input");
            var data = RandomNumberGenerator.GetBytes(8 << 20);
            await File.WriteAllBytesAsync(input, data);
            string[] command = client == "ssh" ? ["ssh"] : [Lucid.Executable, "ssh"];
            var line = string.Join(' ', command.Concat(server.SshArguments()).Append("sleep 2; sha256sum").Select(Quote));
            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"{line} < {Quote(input)}"]);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)) + "  -\n", result.StdOut);
        }
        finally
        {
            System.IO.Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// `lucid ssh` writes what a receive brought to its stdout with one writev(2) across the channel's blocks:
    /// 8 MiB of random data from a `lucid sshd` session (128 KiB packets) arrives in the file unchanged.
    /// </summary>
    [Fact]
    public async Task Lucid_ssh_writes_a_download_to_its_stdout_intact()
    {
        await using var server = await LucidSshd.StartAsync();
        var dir = System.IO.Directory.CreateTempSubdirectory("lucid-pipe-").FullName;
        try
        {
            var output = Path.Combine(dir, "output");
            var line = string.Join(' ', new[] { Lucid.Executable, "ssh" }.Concat(server.SshArguments())
                .Append("head -c 8388608 /dev/urandom | tee >(sha256sum >&2)").Select(Quote));
            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"{line} > {Quote(output)}"]);
            Assert.True(result.ExitCode == 0, result.ToString());
            var received = await File.ReadAllBytesAsync(output);
            Assert.Equal(8 << 20, received.Length);
            Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(received)) + "  -\n", result.StdErr);
        }
        finally
        {
            System.IO.Directory.Delete(dir, true);
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

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
