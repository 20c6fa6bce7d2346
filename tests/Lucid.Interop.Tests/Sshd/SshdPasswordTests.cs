namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Password and keyboard-interactive logins through PAM for a user the test creates (useradd, chpasswd;
/// the tests run as root), wrong passwords, invalid users and MaxAuthTries, with sshd's log lines.
/// </summary>
public sealed class SshdPasswordTests : IAsyncLifetime
{
    private const string User = "lucidpwtest";
    private const string Password = "Correct-Horse-42";
    private LucidSshd _server = null!;
    private string _askpass = null!;

    public async Task InitializeAsync()
    {
        if (await ProcessRunner.RunAsync("id", [User]) is { ExitCode: not 0 })
        {
            var add = await ProcessRunner.RunAsync("useradd", ["-m", "-s", "/bin/bash", User]);
            Assert.True(add.ExitCode is 0 or 9, add.ToString()); // 9: created meanwhile by a parallel run
        }
        var chpasswd = await ProcessRunner.RunAsync("chpasswd", [], stdin: $"{User}:{Password}\n");
        Assert.True(chpasswd.ExitCode == 0, chpasswd.ToString());
        _server = await LucidSshd.StartAsync("MaxAuthTries 3", "PasswordAuthentication yes", "KbdInteractiveAuthentication yes");
        _askpass = Path.Combine(_server.Directory, "askpass");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>ssh with a password from SSH_ASKPASS (no terminal needed), for one method only.</summary>
    private async Task<ProcessResult> LoginAsync(string method, string password, string user = User, int prompts = 1)
    {
        await File.WriteAllTextAsync(_askpass, $"#!/bin/sh\necho '{password}'\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_askpass, (UnixFileMode)0b111_000_000);
        var args = new List<string>
        {
            "-F", "/dev/null", "-p", _server.Port.ToString(), "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "LogLevel=ERROR", "-o", $"PreferredAuthentications={method}", "-o", "PubkeyAuthentication=no",
            "-o", $"NumberOfPasswordPrompts={prompts}", "-l", user, "127.0.0.1", "echo $USER; id -un",
        };
        var env = new Dictionary<string, string> { ["SSH_ASKPASS"] = _askpass, ["SSH_ASKPASS_REQUIRE"] = "force", ["DISPLAY"] = ":0" };
        return await ProcessRunner.RunAsync("setsid", ["-w", "ssh", .. args], environment: env);
    }

    [Fact]
    public async Task Password_login_through_PAM()
    {
        var r = await LoginAsync("password", Password);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{User}\n{User}\n", r.StdOut);
        await _server.WaitForLogAsync($"Accepted password for {User} from 127.0.0.1 port ");
    }

    [Fact]
    public async Task Keyboard_interactive_login_through_PAM()
    {
        var r = await LoginAsync("keyboard-interactive", Password);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{User}\n{User}\n", r.StdOut);
        await _server.WaitForLogAsync($"Accepted keyboard-interactive/pam for {User} from 127.0.0.1 port ");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_sshds_log_line()
    {
        var r = await LoginAsync("password", "wrong");
        Assert.Equal(255, r.ExitCode);
        Assert.Contains($"{User}@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).", r.StdErr);
        await _server.WaitForLogAsync($"Failed password for {User} from 127.0.0.1 port ");
    }

    [Fact]
    public async Task An_invalid_user_is_answered_like_a_valid_one_and_logged()
    {
        var r = await LoginAsync("password", "whatever", user: "nosuchlucid");
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("nosuchlucid@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).", r.StdErr);
        var log = await _server.WaitForLogAsync("Failed password for invalid user nosuchlucid from 127.0.0.1 port ");
        Assert.Contains("Invalid user nosuchlucid from 127.0.0.1 port ", log);
    }

    [Fact]
    public async Task MaxAuthTries_ends_the_connection_with_too_many_authentication_failures()
    {
        var r = await LoginAsync("password", "wrong", prompts: 5);
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("Too many authentication failures", r.StdErr);
        await _server.WaitForLogAsync($"maximum authentication attempts exceeded for {User} from 127.0.0.1 port ");
    }
}
