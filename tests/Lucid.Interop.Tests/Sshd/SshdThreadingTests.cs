using System.Globalization;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// `lucid sshd` runs socket completions inline (SshdHost.RunSocketCompletionsInline): a read that had to wait
/// resumes on the runtime's epoll threads (".NET Sockets"), so an upload is decrypted and written to the session's
/// stdin there rather than on pool workers (".NET TP Worker") woken for each batch. Measured as a profiler would
/// show it: the CPU time of each kind of thread during a 256 MiB upload (after a small one, so that start-up work
/// such as the JIT's is over). The environment can still turn it off, which is also this test's control: the same
/// upload with the setting at 0 is done by pool workers, the epoll thread only waking them.
/// </summary>
public sealed class SshdThreadingTests
{
    private const long Size = 256L << 20;

    [Theory]
    [InlineData(null, true)]
    [InlineData("0", false)]
    public async Task An_upload_is_handled_on_the_epoll_threads_unless_the_environment_says_otherwise(string? setting, bool inline)
    {
        var environment = setting is null
            ? null
            : new Dictionary<string, string> { [global::Lucid.Cli.Sshd.SshdHost.InlineCompletionsVariable] = setting };
        await using var server = await LucidSshd.StartAsync(environment, syslog: false);
        var pid = server.ProcessId;
        await UploadAsync(server, 16L << 20);

        var epollBefore = ThreadTicks(pid, EpollThread);
        var poolBefore = ThreadTicks(pid, PoolWorker);
        await UploadAsync(server, Size);
        var epoll = ThreadTicks(pid, EpollThread) - epollBefore;
        var pool = ThreadTicks(pid, PoolWorker) - poolBefore;

        var detail = $"CPU ticks during the upload: epoll threads {epoll}, pool workers {pool}";
        Assert.True(epoll + pool >= 5, "too little CPU to compare: " + detail);
        if (inline)
            Assert.True(epoll > 2 * pool, detail);
        else
            Assert.True(pool > 2 * epoll, detail);
    }

    private const string EpollThread = ".NET Sockets";
    private const string PoolWorker = ".NET TP Worker";

    private static async Task UploadAsync(LucidSshd server, long size)
    {
        var upload = await ProcessRunner.RunAsync("bash",
            ["-c", $"head -c {size} /dev/zero | ssh \"$@\" 'cat > /dev/null'", "bash", .. server.SshArguments()],
            timeout: TimeSpan.FromSeconds(120));
        Assert.True(upload.ExitCode == 0, upload.StdErr);
    }

    /// <summary>
    /// utime + stime (clock ticks) of the process's live threads named <paramref name="name"/>. A pool worker
    /// lives on for seconds after its last work item, so none of those measured ends during the upload.
    /// </summary>
    private static long ThreadTicks(int pid, string name)
    {
        long ticks = 0;
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name)
                    ticks += CpuTicks(File.ReadAllText(Path.Combine(task, "stat")));
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }
        return ticks;
    }

    /// <summary>Fields 14 and 15 of a stat line; counted after the command name, which may contain spaces.</summary>
    private static long CpuTicks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
