namespace Lucid.Interop.Tests.Sshd;

/// <summary>Local accounts for sshd tests (the tests run as root).</summary>
internal static class TestAccounts
{
    /// <summary>
    /// useradd leaves "!" in a new account's password field, which OpenSSH's sshd without PAM (and Lucid's)
    /// reads as a locked account: no login at all, keys included. "*" means "no password" without the lock,
    /// so key logins work as they do for a service account. /etc/shadow may be locked by a parallel useradd:
    /// retried.
    /// </summary>
    public static async Task AllowKeyLoginsAsync(string user)
    {
        for (var attempt = 1; ; attempt++)
        {
            var r = await ProcessRunner.RunAsync("usermod", ["-p", "*", user]);
            if (r.ExitCode == 0)
                return;
            if (attempt >= 10)
                throw new InvalidOperationException($"usermod -p '*' {user} failed: {r}");
            await Task.Delay(200 * attempt);
        }
    }

    /// <summary>Runs an account command (useradd, chage, usermod, userdel), retrying while another holds the lock.</summary>
    public static async Task RunAsync(params string[] command)
    {
        for (var attempt = 1; ; attempt++)
        {
            var r = await ProcessRunner.RunAsync(command[0], command[1..]);
            if (r.ExitCode == 0)
                return;
            if (attempt >= 10)
                throw new InvalidOperationException($"{string.Join(' ', command)} failed: {r}");
            await Task.Delay(200 * attempt);
        }
    }
}
