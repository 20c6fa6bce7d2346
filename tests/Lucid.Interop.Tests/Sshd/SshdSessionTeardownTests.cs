using System.Diagnostics;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// However a session ends — the client killed with SIGKILL in the middle of a transfer, `~.`, a client that stops
/// answering keepalives, the server stopping — the session's program is hung up and goes away, and the server's
/// descriptors (pipes, terminal, socket) return to what they were before. OpenSSH's sshd behaves this way; a
/// session whose program outlived its connection kept it running for ever with ~4 descriptors held.
/// </summary>
public sealed class SshdSessionTeardownTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TheoryData<string, bool> Clients => new()
    {
        { "ssh", false },
        { "ssh", true },
        { "lucid", false },
        { "lucid", true },
    };

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Killing_the_client_mid_transfer_ends_the_program_and_releases_every_descriptor(string client, bool terminal)
    {
        await using var server = await LucidSshd.StartAsync();
        var baseline = await WarmUpAsync(server, client);
        var tag = Tag();
        using var ssh = StartClient(server, client, terminal, tag);
        var feeding = FeedAsync(ssh, terminal);
        var program = await WaitForProgramAsync(tag, server);

        ssh.Kill();
        await ssh.WaitForExitAsync();
        await feeding;

        await AssertTornDownAsync(server, program, baseline);
    }

    [Fact]
    public async Task The_escape_sequence_tilde_dot_hangs_up_the_login_shell()
    {
        await using var server = await LucidSshd.StartAsync();
        var baseline = await WarmUpAsync(server);
        var tag = Tag();
        using var ssh = StartClient(server, "ssh", terminal: true, tag, extra: ["-e", "~"]);
        var program = await WaitForProgramAsync(tag, server);

        await ssh.StandardInput.WriteAsync("\n~.");
        await ssh.StandardInput.FlushAsync();
        using (var cts = new CancellationTokenSource(Patience))
            await ssh.WaitForExitAsync(cts.Token);

        await AssertTornDownAsync(server, program, baseline);
    }

    [Fact]
    public async Task A_client_that_stops_answering_keepalives_is_disconnected_and_its_program_hung_up()
    {
        await using var server = await LucidSshd.StartAsync("ClientAliveInterval 1", "ClientAliveCountMax 2");
        var baseline = await WarmUpAsync(server);
        var tag = Tag();
        using var ssh = StartClient(server, "ssh", terminal: false, tag);
        var program = await WaitForProgramAsync(tag, server);

        // A stopped client answers nothing: after two unanswered keepalives the server gives up on it.
        var stop = await ProcessRunner.RunAsync("kill", ["-STOP", ssh.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        try
        {
            await server.WaitForLogAsync("Timeout, client not responding", Patience);
            await AssertTornDownAsync(server, program, baseline);
        }
        finally
        {
            ssh.Kill();
        }
    }

    [Fact]
    public async Task Stopping_the_server_hangs_up_every_session()
    {
        await using var server = await LucidSshd.StartAsync();
        var plain = Tag();
        var shell = Tag();
        // A program that never reads its input and ignores nothing: only the hang-up's signal ends it.
        using var first = StartClient(server, "ssh", terminal: false, plain, command: $"exec -a {plain} sleep 1000");
        using var second = StartClient(server, "ssh", terminal: true, shell);
        var programs = (await WaitForProgramAsync(plain, server)).Concat(await WaitForProgramAsync(shell, server)).ToList();

        var term = await ProcessRunner.RunAsync("kill", ["-TERM", server.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, term.ExitCode);
        await WaitUntilAsync(() => !programs.Any(Exists), () => $"the sessions' programs outlived the server:\n{string.Concat(programs.Select(p => $"pid {p}: {Stat(p)}\n"))}\n--- sshd log\n{server.Log}");
        first.Kill();
        second.Kill();
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static string Tag() => "td_" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>
    /// One plain and one terminal session run to their end first, so that whatever the server opens once (the
    /// child reaper's epoll set, terminal devices) is in the baseline; then the server's descriptor count.
    /// </summary>
    private static async Task<int> WarmUpAsync(LucidSshd server, string client = "ssh")
    {
        // With the test's own client: what its requests make a JIT-compiled sshd load (assemblies it maps) is in the baseline.
        string[] ssh = client == "ssh" ? ["ssh"] : [Lucid.Executable, "ssh"];
        foreach (var options in new string[][] { [], ["-tt"] })
        {
            var run = await ProcessRunner.RunAsync(ssh[0], [.. ssh[1..], .. options, .. server.SshArguments(), "true"]);
            Assert.True(run.ExitCode == 0, run.ToString());
        }
        await Task.Delay(500);
        return DescriptorCount(server);
    }

    /// <summary>
    /// The session's program is renamed to <paramref name="tag"/> (exec -a) so that it can be found in /proc:
    /// `cat` swallowing a transfer, or an interactive bash on a terminal.
    /// </summary>
    private static Process StartClient(LucidSshd server, string client, bool terminal, string tag, string? command = null, string[]? extra = null)
    {
        var info = new ProcessStartInfo(client == "ssh" ? "ssh" : Lucid.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (client != "ssh")
            info.ArgumentList.Add("ssh");
        if (terminal)
            info.ArgumentList.Add("-tt");
        foreach (var a in extra ?? [])
            info.ArgumentList.Add(a);
        foreach (var a in server.SshArguments())
            info.ArgumentList.Add(a);
        info.ArgumentList.Add(command ?? (terminal ? $"exec -a {tag} bash -i" : $"exec -a {tag} cat >/dev/null"));
        var process = Process.Start(info)!;
        // Drained so the session never stalls on a full pipe of ours.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }

    /// <summary>Keeps data flowing into the session until the client dies: zeros for `cat`, command lines for the shell.</summary>
    private static async Task FeedAsync(Process ssh, bool terminal)
    {
        var chunk = terminal ? "echo feeding $((6*7))\n"u8.ToArray() : new byte[64 * 1024];
        try
        {
            while (!ssh.HasExited)
            {
                await ssh.StandardInput.BaseStream.WriteAsync(chunk);
                await ssh.StandardInput.BaseStream.FlushAsync();
                if (terminal)
                    await Task.Delay(20);
            }
        }
        catch (IOException)
        {
            // The client is gone.
        }
    }

    private static async Task<List<int>> WaitForProgramAsync(string tag, LucidSshd server)
    {
        await WaitUntilAsync(() => ProgramRuns(tag), () => $"the session's program {tag} never started.\n--- sshd log\n{server.Log}");
        return Pids(tag);
    }

    /// <summary>The program is gone and reaped (not even a zombie), sshd's descriptors are back to the baseline, and it still serves.</summary>
    private static async Task AssertTornDownAsync(LucidSshd server, List<int> program, int baseline)
    {
        await WaitUntilAsync(() => !program.Any(Exists), () => $"the session's program outlived its connection:\n{string.Concat(program.Select(p => $"pid {p}: {Stat(p)}\n"))}\n--- sshd log\n{server.Log}");
        await WaitUntilAsync(() => DescriptorCount(server) <= baseline,
            () => $"sshd holds {DescriptorCount(server)} descriptors, {baseline} before the session:\n{Descriptors(server)}\n--- sshd log\n{server.Log}");
        // And the server still serves.
        var after = await server.SshAsync("echo still-serving");
        Assert.True(after.ExitCode == 0 && after.StdOut == "still-serving\n", after.ToString());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail(failure());
            await Task.Delay(100);
        }
    }

    private static bool ProgramRuns(string tag) => Pids(tag).Any();

    /// <summary>The processes whose argv[0] is <paramref name="tag"/>.</summary>
    private static List<int> Pids(string tag)
    {
        var found = new List<int>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0')[0] == tag)
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>Whether the process exists at all: a zombie (exited, not yet reaped by sshd) still does.</summary>
    private static bool Exists(int pid) => System.IO.Directory.Exists($"/proc/{pid}");

    private static string Stat(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return "(gone)";
        }
    }

    /// <summary>
    /// The descriptors a session could leak: pipes, terminals, sockets. Files the .NET runtime maps for its own code
    /// (an assembly first used on an error path, the .pdb read for an exception's line numbers, JIT memory) are not
    /// counted: a JIT-compiled sshd opens those once, whenever it first needs them, and keeps them.
    /// </summary>
    private static int DescriptorCount(LucidSshd server) =>
        System.IO.Directory.GetFileSystemEntries($"/proc/{server.ProcessId}/fd").Count(f => !IsRuntimeCode(Target(f)));

    private static bool IsRuntimeCode(string? target) =>
        target is not null && (target.EndsWith(".dll", StringComparison.Ordinal) || target.EndsWith(".pdb", StringComparison.Ordinal)
            || target.EndsWith(".so", StringComparison.Ordinal) || target.StartsWith("/memfd:", StringComparison.Ordinal));

    private static string? Target(string descriptor)
    {
        try
        {
            return new FileInfo(descriptor).LinkTarget;
        }
        catch (IOException)
        {
            return null; // closed while we looked
        }
    }

    private static string Descriptors(LucidSshd server) =>
        string.Join('\n', System.IO.Directory.GetFileSystemEntries($"/proc/{server.ProcessId}/fd")
            .Select(f => $"{Path.GetFileName(f)} -> {Target(f)}"));
}
