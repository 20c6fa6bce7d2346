using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>The Linux side of the server: the user database, StrictModes, PAM, and processes run as the user.</summary>
internal sealed partial class SshdBackend(string pamService) : ISshServerBackend
{
    private readonly uint _self = Users.GetEffectiveUid();

    public SshServerUser? FindUser(string name)
    {
        var account = Users.ByName(name);
        if (account is null)
            return null;
        // Not root: only the account sshd runs as can log in (we could not become anyone else).
        if (!Users.IsRoot && account.Uid != _self)
            return null;
        return new SshServerUser(account.Name, account.Uid, account.Gid, account.Home, account.Shell, Users.GroupNamesOf(account.Name));
    }

    public string? ReadAuthorizedKeys(SshServerUser user, string path, bool strictModes, Action<string> log)
    {
        var status = UsersFileStatus.Stat(path);
        if (status is null)
            return null;
        if (!status.Value.IsRegularFile)
        {
            log($"User '{user.Name}' authorized keys '{path}' is not a regular file");
            return null;
        }
        if (strictModes && AuthorizedKeysPath.CheckStrictModes(path, user.Home, user.Uid, UsersFileStatus.Stat) is { } reason)
        {
            log($"Authentication refused: {reason}");
            return null;
        }
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log($"Could not open user '{user.Name}' authorized keys '{path}': {e.Message}");
            return null;
        }
    }

    public IReadOnlyList<string>? AccountLocked(SshServerUser user) =>
        Users.ByName(user.Name) is { } account ? AccountLock.Check(account, DateTimeOffset.UtcNow) : null;

    public ValueTask<SshAccountVerdict> CheckAccountAsync(SshServerUser user, string remoteAddress, CancellationToken cancellationToken) =>
        new(Task.Run(() =>
        {
            var (allowed, message) = Pam.CheckAccount(pamService, user.Name, remoteAddress);
            return new SshAccountVerdict(allowed, message);
        }, cancellationToken));

    public bool PasswordsSupported => Users.IsRoot && Pam.IsAvailable;

    public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, string remoteAddress, CancellationToken cancellationToken) =>
        new(Task.Run(() => Pam.Authenticate(pamService, user.Name, password, remoteAddress), cancellationToken));

    /// <summary>
    /// /etc/motd as session.c's do_motd prints it, unless ~/.hushlogin exists (check_quietlogin).
    /// $LUCID_SSHD_MOTD names another file, so tests need not touch the machine's /etc/motd.
    /// </summary>
    public byte[]? ReadMessageOfTheDay(SshServerUser user)
    {
        if (Path.Exists(Path.Combine(user.Home, ".hushlogin")))
            return null;
        var path = Environment.GetEnvironmentVariable("LUCID_SSHD_MOTD") is { Length: > 0 } p ? p : "/etc/motd";
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>With UsePAM (and PAM present): PAM's session for the channel's program, its environment for the session.</summary>
    public ValueTask<ISshServerLogin?> OpenLoginAsync(SshServerLoginStart start, CancellationToken cancellationToken)
    {
        if (!start.UsePam || !Pam.IsAvailable || !Users.IsRoot)
            return new((ISshServerLogin?)null);
        var session = Pam.OpenSession(pamService, start.User.Name, start.RemoteAddress);
        return new(new PamLogin(session));
    }

    private sealed class PamLogin(Pam.Session session) : ISshServerLogin
    {
        public IReadOnlyList<KeyValuePair<string, string>> Environment => session.Environment;

        public string? Warning => session.Warning;

        public ValueTask DisposeAsync()
        {
            session.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>~/.ssh/environment, when it is a regular file that can be read.</summary>
    public string? ReadUserEnvironmentFile(SshServerUser user)
    {
        var path = Path.Combine(user.Home, ".ssh", "environment");
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>sshd's system-wide rc file; $LUCID_SSHD_SYSTEM_RC names another, so tests need not touch /etc/ssh.</summary>
    private static string SystemRc => Environment.GetEnvironmentVariable("LUCID_SSHD_SYSTEM_RC") is { Length: > 0 } p ? p : "/etc/ssh/sshrc";

    public ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken)
    {
        var shell = start.User.Shell.Length > 0 ? start.User.Shell : "/bin/sh";
        IReadOnlyList<string> argv = start.Command is null
            ? ["-" + Path.GetFileName(shell)]
            : [Path.GetFileName(shell), "-c", start.Command];
        return new(SshdProcess.Start(start.User, shell, argv, start.Environment, start.Pty, RcCommand(start, shell), start.RemoteAddress));
    }

    /// <summary>
    /// session.c's do_rc_files: ~/.ssh/rc run by the user's shell as `/bin/sh ~/.ssh/rc` when it exists and may run,
    /// otherwise /etc/ssh/sshrc with /bin/sh when that exists; null when neither. (The xauth line sshd writes to its
    /// stdin is never written: Lucid does not forward X11.)
    /// </summary>
    private static IReadOnlyList<string>? RcCommand(SshServerProcessStart start, string shell)
    {
        var userRc = Path.Combine(start.User.Home, ".ssh", "rc");
        if (start.UserRcAllowed && File.Exists(userRc))
            return [shell, "-c", $"/bin/sh {userRc}"];
        return File.Exists(SystemRc) ? ["/bin/sh", SystemRc] : null;
    }
}
