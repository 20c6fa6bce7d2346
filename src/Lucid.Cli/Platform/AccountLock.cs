namespace Lucid.Cli.Platform;

/// <summary>
/// OpenSSH's platform_locked_account on Linux (platform.c, auth-shadow.c), which sshd applies without PAM:
/// an account whose shadow expiry date has passed (`chage -E`), or whose password starts with "!"
/// (`usermod -L`, `passwd -l`; Linux's LOCKED_PASSWD_PREFIX — "*LK*" is Solaris' marker and not checked
/// here, as OpenSSH built for Linux does not), may not log in by any method.
/// </summary>
internal static class AccountLock
{
    private const long SecondsPerDay = 24 * 60 * 60;

    /// <summary>Null when the account is usable, else the lines sshd logs, in its order.</summary>
    public static IReadOnlyList<string>? Check(UserAccount account, DateTimeOffset now)
    {
        var shadow = Shadow.ByName(account.Name);
        if (shadow is { Expire: not -1 } s && s.Expire - now.ToUnixTimeSeconds() / SecondsPerDay < 0)
            return [$"Account {account.Name} has expired", NotAllowed(account)];
        var password = shadow?.Password ?? account.PasswordField;
        return password.StartsWith('!') ? [NotAllowed(account)] : null;
    }

    private static string NotAllowed(UserAccount account) => $"User {account.Name} not allowed because account is locked";
}
