namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// What sshd does around a session's program: PAM's session stage (pam_env's variables in the session, pam_exec run
/// at open and close), the login records `last` reads, ~/.ssh/rc then /etc/ssh/sshrc, ~/.ssh/environment.
/// </summary>
public sealed class SshdLoginSessionTests
{
    private static string Lucid => global::Lucid.Interop.Tests.Lucid.Executable;

    /// <summary>
    /// A user of these tests alone: its ~/.ssh/rc and ~/.ssh/environment would change what every other test's session
    /// prints.
    /// </summary>
    private const string RcUser = "lucidsshdrc";

    private static readonly Lazy<Task> RcUserReady = new(async () =>
    {
        if (await ProcessRunner.RunAsync("id", [RcUser]) is not { ExitCode: 0 })
            await TestAccounts.RunAsync("useradd", "-m", "-s", "/bin/bash", RcUser);
        await TestAccounts.AllowKeyLoginsAsync(RcUser);
    });

    [Fact]
    public async Task Pam_session_modules_run_at_open_and_close_and_pam_env_reaches_the_session()
    {
        using var scratch = await SshdScratch.CreateAsync("pam-session");
        var service = $"lucid-test-{Guid.NewGuid():N}";
        var servicePath = Path.Combine("/etc/pam.d", service);
        var markers = Path.Combine(scratch.Directory, "markers");
        var envConf = Path.Combine(scratch.Directory, "pam_env.conf");
        File.WriteAllText(envConf, "LUCID_PAM_VARIABLE DEFAULT=set-by-pam-env\n");
        File.WriteAllText(Path.Combine(scratch.Directory, "marker.sh"), $"echo \"$PAM_TYPE $PAM_USER $PAM_RHOST\" >> {markers}\n");
        File.WriteAllText(servicePath,
            "auth required pam_permit.so\naccount required pam_permit.so\n" +
            $"session required pam_env.so readenv=0 user_readenv=0 conffile={envConf}\n" +
            $"session required pam_exec.so /bin/sh {scratch.Directory}/marker.sh\n");
        try
        {
            scratch.WriteConfig("UsePAM yes\n");
            await using var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath],
                new Dictionary<string, string> { ["LUCID_SSHD_PAM_SERVICE"] = service });
            await server.WaitForOutputAsync("Server listening on");

            var r = await scratch.SshAsync("echo \"$LUCID_PAM_VARIABLE\"; cat " + markers);
            Assert.True(r.ExitCode == 0, r + "\n--- server\n" + server.Output);
            // The session opened before the program ran; it closes after.
            Assert.Equal($"set-by-pam-env\nopen_session {LucidSshd.TestUser} 127.0.0.1\n", r.StdOut);
            await scratch.WaitUntilAsync(() => File.Exists(markers) && File.ReadAllText(markers).Contains("close_session"), "pam_close_session never ran");
            Assert.Equal($"open_session {LucidSshd.TestUser} 127.0.0.1\nclose_session {LucidSshd.TestUser} 127.0.0.1\n", File.ReadAllText(markers));
        }
        finally
        {
            File.Delete(servicePath);
        }
    }

    [Fact]
    public async Task A_terminal_session_is_in_wtmp_for_last()
    {
        using var scratch = await SshdScratch.CreateAsync("wtmp");
        if (!File.Exists("/var/log/wtmp"))
            File.WriteAllBytes("/var/log/wtmp", []); // a fresh container may lack it; sshd only appends to an existing one
        await using var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath]);
        await server.WaitForOutputAsync("Server listening on");
        var r = await scratch.SshAsync("tty", extra: ["-tt"]);
        Assert.True(r.ExitCode == 0, r + "\n--- server\n" + server.Output);
        var tty = r.StdOut.Trim()["/dev/".Length..];

        var last = await ProcessRunner.RunAsync("last", ["-w", "-i", "-n", "50", LucidSshd.TestUser]);
        Assert.True(last.ExitCode == 0, last.ToString());
        Assert.Contains(last.StdOut.Split('\n'), line => line.StartsWith($"{LucidSshd.TestUser} ", StringComparison.Ordinal) &&
            line.Contains($" {tty} ", StringComparison.Ordinal) && line.Contains(" 127.0.0.1 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task User_rc_runs_before_the_command_then_sshrc_when_there_is_none()
    {
        await RcUserReady.Value;
        using var scratch = await SshdScratch.CreateAsync("rc");
        var systemRc = Path.Combine(scratch.Directory, "sshrc");
        File.WriteAllText(systemRc, "echo \"system rc for $USER\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(scratch.Directory, (UnixFileMode)0x1ed);
        var home = $"/home/{RcUser}";
        var sshDir = Path.Combine(home, ".ssh");
        await ProcessRunner.RunAsync("install", ["-d", "-o", RcUser, "-m", "700", sshDir]);
        var userRc = Path.Combine(sshDir, "rc");
        var environmentFile = Path.Combine(sshDir, "environment");
        File.WriteAllText(userRc, "echo \"user rc as $(id -un) in $PWD, stdin: $(cat)\"\n");
        File.WriteAllText(environmentFile, "# comment\nFROM_ENVIRONMENT_FILE=yes\n\nOTHER_VARIABLE=also\nnot a variable\n");
        try
        {
            scratch.WriteConfig("PermitUserEnvironment FROM_*\n");
            await using var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath],
                new Dictionary<string, string> { ["LUCID_SSHD_SYSTEM_RC"] = systemRc });
            await server.WaitForOutputAsync("Server listening on");

            var r = await scratch.SshAsync("echo \"command, FROM=$FROM_ENVIRONMENT_FILE OTHER=${OTHER_VARIABLE-unset}\"", user: RcUser);
            Assert.True(r.ExitCode == 0, r + "\n--- server\n" + server.Output);
            Assert.Equal($"user rc as {RcUser} in {home}, stdin: \ncommand, FROM=yes OTHER=unset\n", r.StdOut);

            // The subsystem skips ~/.ssh/rc (sshd's rule) but not sshrc: sftp would be disturbed by any output, so only
            // a command shows it. Without ~/.ssh/rc, /etc/ssh/sshrc runs.
            File.Delete(userRc);
            r = await scratch.SshAsync("echo command", user: RcUser);
            Assert.Equal($"system rc for {RcUser}\ncommand\n", r.StdOut);
        }
        finally
        {
            File.Delete(userRc);
            File.Delete(environmentFile);
        }
    }

    [Fact]
    public async Task PermitUserRc_no_and_a_forced_command_skip_the_users_rc()
    {
        await RcUserReady.Value;
        using var scratch = await SshdScratch.CreateAsync("norc");
        var home = $"/home/{RcUser}";
        var sshDir = Path.Combine(home, ".ssh");
        await ProcessRunner.RunAsync("install", ["-d", "-o", RcUser, "-m", "700", sshDir]);
        var userRc = Path.Combine(sshDir, "rc");
        File.WriteAllText(userRc, "echo user rc\n");
        try
        {
            scratch.WriteConfig("PermitUserRC no\n");
            await using (var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath]))
            {
                await server.WaitForOutputAsync("Server listening on");
                Assert.Equal("command\n", (await scratch.SshAsync("echo command", user: RcUser)).StdOut);
            }
            scratch.WriteConfig("ForceCommand echo forced\n");
            await using (var server = RunningProcess.Start(Lucid, ["sshd", "-D", "-e", "-f", scratch.ConfigPath]))
            {
                await server.WaitForOutputAsync("Server listening on");
                Assert.Equal("forced\n", (await scratch.SshAsync("echo command", user: RcUser)).StdOut);
            }
        }
        finally
        {
            File.Delete(userRc);
        }
    }
}
