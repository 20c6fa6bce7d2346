using Lucid.Ssh.Auth;
using Lucid.Ssh.Connection;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Server;

/// <summary>
/// One authenticated connection as its handlers see it: who logged in, from where, the configuration after
/// Match, and the connection itself (to open channels or send requests back to the client).
/// </summary>
public sealed class SshServerContext
{
    private int _sessions;
    private readonly List<Task> _sessionsDone = [];
    private readonly SshServerIdleTimeouts _idleTimeouts;

    internal SshServerContext(ServerAuthResult auth, ServerClientInfo client, SshServerOptions options, SshConnection connection,
        CancellationToken closed, SshServerIdleTimeouts idleTimeouts)
    {
        _idleTimeouts = idleTimeouts;
        Auth = auth;
        Client = client;
        Options = options;
        Connection = connection;
        Closed = closed;
    }

    /// <summary>The account that authenticated.</summary>
    public SshServerUser User => Auth.User;

    /// <summary>The method that completed authentication ("publickey", "password", "keyboard-interactive/pam").</summary>
    public string AuthenticationMethod => Auth.Method;

    /// <summary>The restrictions of the authorized_keys line (or what the authentication callback returned).</summary>
    public AuthorizedKeysOptions KeyOptions => Auth.KeyOptions;

    /// <summary>The sshd configuration after Match blocks for this user and address.</summary>
    public SshdConfig Config => Auth.Config;

    /// <summary>The client's address (IPv4-mapped addresses shown as IPv4).</summary>
    public string RemoteAddress => Client.Ip;

    /// <summary>The client's port.</summary>
    public int RemotePort => Client.Port;

    /// <summary>The address the client connected to.</summary>
    public string LocalAddress => Client.LocalIp;

    /// <summary>The port the client connected to.</summary>
    public int LocalPort => Client.LocalPort;

    /// <summary>The connection protocol: open channels to the client (forwarded-tcpip, x11), send global requests.</summary>
    public SshConnection Connection { get; }

    /// <summary>Cancelled when the connection ends.</summary>
    public CancellationToken Closed { get; }

    internal ServerAuthResult Auth { get; }
    internal ServerClientInfo Client { get; }
    internal SshServerOptions Options { get; }

    /// <summary>Counts a session against MaxSessions; false when the limit is reached.</summary>
    internal bool TryAddSession()
    {
        if (Interlocked.Increment(ref _sessions) <= Config.MaxSessions)
            return true;
        Interlocked.Decrement(ref _sessions);
        return false;
    }

    internal void RemoveSession() => Interlocked.Decrement(ref _sessions);

    /// <summary>
    /// Watches a session for ChannelTimeout and UnusedConnectionTimeout, and remembers its teardown, so a closing
    /// connection can wait until its processes are hung up.
    /// </summary>
    internal void TrackSession(SshServerSession session)
    {
        _idleTimeouts.Add(session);
        lock (_sessionsDone)
        {
            if (_sessionsDone.Count >= 32)
                _sessionsDone.RemoveAll(t => t.IsCompleted);
            _sessionsDone.Add(session.Completion);
        }
    }

    /// <summary>Completes when every session's teardown has run (it never waits for a process to exit).</summary>
    internal Task SessionsEnded()
    {
        lock (_sessionsDone)
            return Task.WhenAll([.. _sessionsDone]);
    }
}
