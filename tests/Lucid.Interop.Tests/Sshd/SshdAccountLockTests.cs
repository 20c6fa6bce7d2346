namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Expired and locked accounts are refused as OpenSSH refuses them, keys included: without PAM by the shadow
/// fields (auth.c allowed_user → platform_locked_account: "Account u has expired", "User u not allowed because
/// account is locked"), with UsePAM by PAM's account stage after authentication ("Access denied for user u by PAM
/// account configuration", the connection closed). Each test makes its own throwaway account.
/// </summary>
public sealed class SshdAccountLockTests
{
    private static int s_counter;

    private static async Task<string> NewAccountAsync()
    {
        var name = $"lucidlk{Environment.ProcessId % 10000}x{Interlocked.Increment(ref s_counter)}";
        await ProcessRunner.RunAsync("userdel", ["-r", name]);
        await TestAccounts.RunAsync("useradd", "-m", "-s", "/bin/sh", name);
        await TestAccounts.AllowKeyLoginsAsync(name);
        return name;
    }

    private static Task DeleteAsync(string name) => ProcessRunner.RunAsync("userdel", ["-r", name]);

    [Fact]
    public async Task Expired_account_is_refused_without_PAM()
    {
        var user = await NewAccountAsync();
        try
        {
            await using var server = await LucidSshd.StartAsync("UsePAM no");
            Assert.Equal("in\n", (await server.SshAsync("echo in", user: user)).StdOut);

            await TestAccounts.RunAsync("chage", "-E", "0", user);
            var refused = await server.SshAsync("echo in", user: user);
            Assert.Equal(255, refused.ExitCode);
            Assert.Equal("", refused.StdOut);
            Assert.Contains($"{user}@127.0.0.1: Permission denied (publickey", refused.StdErr);
            var log = await server.WaitForLogAsync($"User {user} not allowed because account is locked");
            Assert.Contains($"Account {user} has expired\nUser {user} not allowed because account is locked\n", log);
        }
        finally
        {
            await DeleteAsync(user);
        }
    }

    [Fact]
    public async Task Locked_password_is_refused_without_PAM_even_with_a_key()
    {
        var user = await NewAccountAsync();
        try
        {
            await TestAccounts.RunAsync("usermod", "-L", user); // "*" becomes "!*"
            await using var server = await LucidSshd.StartAsync("UsePAM no");
            var refused = await server.SshAsync("echo in", user: user);
            Assert.Equal(255, refused.ExitCode);
            Assert.Contains($"{user}@127.0.0.1: Permission denied (publickey", refused.StdErr);
            var log = await server.WaitForLogAsync($"User {user} not allowed because account is locked");
            Assert.DoesNotContain("has expired", log);

            await TestAccounts.RunAsync("usermod", "-U", user);
            Assert.Equal("in\n", (await server.SshAsync("echo in", user: user)).StdOut);
        }
        finally
        {
            await DeleteAsync(user);
        }
    }

    [Fact]
    public async Task Expired_account_is_refused_by_PAMs_account_stage()
    {
        var user = await NewAccountAsync();
        try
        {
            await using var server = await LucidSshd.StartAsync("UsePAM yes");
            Assert.Equal("in\n", (await server.SshAsync("echo in", user: user)).StdOut);

            await TestAccounts.RunAsync("chage", "-E", "0", user);
            // LogLevel INFO so ssh shows the banner carrying pam_unix's message, as OpenSSH's sshd sends it.
            var refused = await server.SshAsync("echo in", user: user, options: ["-o", "LogLevel=INFO"]);
            Assert.Equal(255, refused.ExitCode);
            Assert.Equal("", refused.StdOut);
            Assert.True(refused.StdErr.Contains("Your account has expired; please contact your system administrator", StringComparison.Ordinal),
                refused + "\n--- log\n" + server.Log);
            Assert.Contains("Connection closed by 127.0.0.1 port", refused.StdErr);
            await server.WaitForLogAsync($"Access denied for user {user} by PAM account configuration [preauth]");
        }
        finally
        {
            await DeleteAsync(user);
        }
    }

    [Fact]
    public async Task Locked_password_does_not_stop_a_key_login_with_PAM_as_with_OpenSSH()
    {
        // With UsePAM yes OpenSSH leaves the decision to PAM's account stage, and pam_unix does not treat "!" as
        // locked for key logins: OpenSSH lets the user in, and so does Lucid.
        var user = await NewAccountAsync();
        try
        {
            await TestAccounts.RunAsync("usermod", "-L", user);
            await using var server = await LucidSshd.StartAsync("UsePAM yes");
            Assert.Equal("in\n", (await server.SshAsync("echo in", user: user)).StdOut);
        }
        finally
        {
            await DeleteAsync(user);
        }
    }
}
