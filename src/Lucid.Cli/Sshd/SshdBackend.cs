using Lucid.Cli.Platform;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>The Linux side of the server: the user database, StrictModes, PAM, and processes run as the user.</summary>
internal sealed class SshdBackend(string pamService) : ISshServerBackend
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

    public ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken)
    {
        var shell = start.User.Shell.Length > 0 ? start.User.Shell : "/bin/sh";
        IReadOnlyList<string> argv = start.Command is null
            ? ["-" + Path.GetFileName(shell)]
            : [Path.GetFileName(shell), "-c", start.Command];
        return new(SshdProcess.Start(start.User, shell, argv, start.Environment, start.Pty));
    }
}
