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

    internal SshServerContext(ServerAuthResult auth, ServerClientInfo client, SshServerOptions options, SshConnection connection,
        CancellationToken closed)
    {
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
}
