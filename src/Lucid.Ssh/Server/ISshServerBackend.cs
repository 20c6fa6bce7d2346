using System.Buffers;
using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Server;

/// <summary>
/// What the server needs from the operating system: users, password checks (PAM), reading users' files
/// with StrictModes, and running processes as a user. The library stays free of P/Invoke; `lucid sshd`
/// supplies the Linux implementation, tests may supply their own.
/// </summary>
public interface ISshServerBackend
{
    /// <summary>The account, or null when there is no such user.</summary>
    SshServerUser? FindUser(string name);

    /// <summary>
    /// A user's authorized_keys file, or null when it is missing or refused. With <paramref name="strictModes"/>
    /// the file and its directories must pass OpenSSH's ownership checks; refusals are reported through
    /// <paramref name="log"/> in sshd's words ("Authentication refused: bad ownership or modes for ...").
    /// </summary>
    string? ReadAuthorizedKeys(SshServerUser user, string path, bool strictModes, Action<string> log);

    /// <summary>
    /// auth.c's platform_locked_account, asked only without UsePAM: null when the account may log in, otherwise
    /// the lines sshd logs ("Account alice has expired", "User alice not allowed because account is locked").
    /// </summary>
    IReadOnlyList<string>? AccountLocked(SshServerUser user) => null;

    /// <summary>
    /// PAM's account stage (pam_acct_mgmt), asked with UsePAM once authentication has succeeded: whether the
    /// account may log in now, and what PAM said to the user (sent as a banner).
    /// </summary>
    ValueTask<SshAccountVerdict> CheckAccountAsync(SshServerUser user, string remoteAddress, CancellationToken cancellationToken) =>
        new(SshAccountVerdict.Permitted);

    /// <summary>Whether passwords can be checked at all (PAM as root). When false, password and keyboard-interactive are not offered.</summary>
    bool PasswordsSupported { get; }

    /// <summary>Checks a password (PAM authenticate and account management).</summary>
    ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, string remoteAddress, CancellationToken cancellationToken);

    /// <summary>
    /// The message of the day shown before a login shell on a terminal when PrintMotd is on (sshd prints
    /// /etc/motd); null when there is none or the user asked for quiet logins with ~/.hushlogin.
    /// </summary>
    byte[]? ReadMessageOfTheDay(SshServerUser user) => null;

    /// <summary>
    /// Opens the login session a "session" channel runs in, before its environment is built: with UsePAM, PAM's
    /// pam_setcred and pam_open_session, whose environment (pam_env and other modules) the session then gets. Disposed
    /// when the session's program has ended (pam_close_session). Null when the backend has nothing to open.
    /// </summary>
    ValueTask<ISshServerLogin?> OpenLoginAsync(SshServerLoginStart start, CancellationToken cancellationToken) => new((ISshServerLogin?)null);

    /// <summary>
    /// The text of the user's ~/.ssh/environment, read when PermitUserEnvironment allows it; null when there is none.
    /// </summary>
    string? ReadUserEnvironmentFile(SshServerUser user) => null;

    /// <summary>Starts a session's process as the user: a shell or command, with a terminal when <see cref="SshServerProcessStart.Pty"/> is set.</summary>
    ValueTask<ISshServerProcess> StartProcessAsync(SshServerProcessStart start, CancellationToken cancellationToken);
}

/// <summary>What a login session is opened for.</summary>
public sealed class SshServerLoginStart
{
    public required SshServerUser User { get; init; }
    /// <summary>The client's address (PAM_RHOST).</summary>
    public required string RemoteAddress { get; init; }
    /// <summary>UsePAM from the connection's configuration.</summary>
    public bool UsePam { get; init; }
    /// <summary>True when the session asked for a terminal.</summary>
    public bool Terminal { get; init; }
}

/// <summary>An open login session (PAM's): its environment for the session's program; disposing closes it.</summary>
public interface ISshServerLogin : IAsyncDisposable
{
    IReadOnlyList<KeyValuePair<string, string>> Environment { get; }

    /// <summary>A problem opening the session that did not stop it, which the server logs; null when there was none.</summary>
    string? Warning => null;
}

/// <summary>The answer of an account check: allowed or not, and the message for the user ("" for none).</summary>
public sealed record SshAccountVerdict(bool Allowed, string Message)
{
    public static SshAccountVerdict Permitted { get; } = new(true, "");
}

/// <summary>What to run for a session.</summary>
public sealed class SshServerProcessStart
{
    public required SshServerUser User { get; init; }
    /// <summary>The client's address, for the login records (utmp/wtmp host).</summary>
    public string RemoteAddress { get; init; } = "";
    /// <summary>
    /// Whether ~/.ssh/rc may run before the program (sshd's rule: not for subsystems nor a ForceCommand, and only
    /// with PermitUserRC and no no-user-rc key option); /etc/ssh/sshrc runs instead when it may not or is missing.
    /// </summary>
    public bool UserRcAllowed { get; init; }
    /// <summary>The command for `$SHELL -c`; null for a login shell.</summary>
    public string? Command { get; init; }
    public SshPtyRequest? Pty { get; init; }
    /// <summary>The complete environment, except SSH_TTY, which the backend adds when it allocates the terminal.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; }
}

/// <summary>
/// A running session process. Disposing it ends the session: the server disposes it once the program has exited
/// and its output is sent, or at once when the client goes away first (channel closed, connection reset or timed
/// out, server stopping). An implementation then closes its pipes or terminal and, if the program is still
/// running, signals its process group with SIGHUP as a terminal hang-up would; it must not wait for the exit.
/// </summary>
public interface ISshServerProcess : IAsyncDisposable
{
    /// <summary>Writes to the process's stdin (or the terminal).</summary>
    Stream Input { get; }
    /// <summary>The process's stdout (or the terminal); ends when every writer has closed it.</summary>
    Stream Output { get; }
    /// <summary>The process's stderr; null with a terminal (it goes to the terminal).</summary>
    Stream? ErrorOutput { get; }
    /// <summary>
    /// True when a write to <see cref="Input"/> never blocks the calling thread (it completes asynchronously while
    /// the program is not reading, as a pipe driven by the runtime's event loop). The session then writes the
    /// client's data from the connection's read loop, with no thread hand-off per packet.
    /// </summary>
    bool InputNeverBlocks => false;

    /// <summary>
    /// Writes the client's data to <see cref="Input"/> and flushes it. The default writes the segments one by one;
    /// a backend that can gather them into one system call (writev) overrides it.
    /// </summary>
    ValueTask WriteInputAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken) =>
        WriteSegmentsAsync(Input, data, cancellationToken);

    /// <summary>Writes each segment of <paramref name="data"/> to <paramref name="stream"/>, then flushes it.</summary>
    static async ValueTask WriteSegmentsAsync(Stream stream, ReadOnlySequence<byte> data, CancellationToken cancellationToken)
    {
        foreach (var segment in data)
            await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes stdin, so the process sees end of file (no-op with a terminal).</summary>
    void CloseInput();
    void ResizeTerminal(SshWindowSize size);
    /// <summary>Delivers a signal by its SSH name (INT, TERM, HUP, KILL, ...); false when unknown.</summary>
    bool Signal(string name);
    /// <summary>Completes when the process has exited: its exit code or the signal that killed it.</summary>
    Task<SshExitStatus> Exited { get; }
}
