using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// What one authenticated connection may forward, as sshd decides it: AllowTcpForwarding and
/// AllowStreamLocalForwarding (yes/all/local/remote/no), DisableForwarding, the key's no-port-forwarding (or
/// restrict), and two permission lists that must both allow a destination: the key's permitopen=/permitlisten=
/// (none means any) and sshd_config's PermitOpen/PermitListen ("any", "none" or host:port entries).
/// </summary>
internal sealed class ForwardingPolicy(SshdConfig config, AuthorizedKeysOptions key)
{
    /// <summary>OpenSSH's port number for a Unix-domain socket in its permission lists (PORT_STREAMLOCAL).</summary>
    private const int StreamLocalPort = -2;

    /// <summary>A permission's "*" port (FWD_PERMIT_ANY_PORT).</summary>
    private const int AnyPort = 0;

    public static ForwardingPolicy For(SshServerContext context) => new(context.Config, context.KeyOptions);

    private bool Disabled => !key.PermitPortForwarding || config.DisableForwarding;

    /// <summary>direct-tcpip (ssh -L, -D, -W).</summary>
    public bool LocalTcp => !Disabled && Includes(config.AllowTcpForwarding, local: true);

    /// <summary>tcpip-forward (ssh -R).</summary>
    public bool RemoteTcp => !Disabled && Includes(config.AllowTcpForwarding, local: false);

    /// <summary>direct-streamlocal@openssh.com (ssh -L to a socket path).</summary>
    public bool LocalStream => !Disabled && Includes(config.AllowStreamLocalForwarding, local: true);

    /// <summary>streamlocal-forward@openssh.com (ssh -R from a socket path).</summary>
    public bool RemoteStream => !Disabled && Includes(config.AllowStreamLocalForwarding, local: false);

    private static bool Includes(string value, bool local) =>
        value.ToLowerInvariant() switch
        {
            "yes" or "all" => true,
            "local" => local,
            "remote" => !local,
            _ => false,
        };

    /// <summary>Whether a direct-tcpip channel may connect to <paramref name="host"/> port <paramref name="port"/>.</summary>
    public bool MayOpen(string host, int port) =>
        (key.PermitOpen.Count == 0 || key.PermitOpen.Any(p => OpenMatches(p, host, port)))
        && AdminAllows(config.PermitOpen, p => OpenMatches(p, host, port));

    /// <summary>Whether a direct-streamlocal channel may connect to <paramref name="path"/>.</summary>
    public bool MayOpenPath(string path) =>
        (key.PermitOpen.Count == 0 || key.PermitOpen.Any(p => OpenMatches(p, path, StreamLocalPort)))
        && AdminAllows(config.PermitOpen, p => OpenMatches(p, path, StreamLocalPort));

    /// <summary>Whether tcpip-forward may listen on <paramref name="host"/> (as the client sent it) port <paramref name="port"/>.</summary>
    public bool MayListen(string host, int port) =>
        (key.PermitListen.Count == 0 || key.PermitListen.Any(p => ListenMatches(p, host, port)))
        && AdminAllows(config.PermitListen, p => ListenMatches(p, host, port));

    // sshd_config's list: unset or "any" permits everything, "none" nothing, otherwise one entry must match.
    private static bool AdminAllows(IReadOnlyList<string> list, Func<string, bool> matches) =>
        list.Count == 0 || (list.Count == 1 && list[0] == "any") || (!(list.Count == 1 && list[0] == "none") && list.Any(matches));

    // channels.c open_match: the host compared as written ("*" for any), the port equal or "*".
    private static bool OpenMatches(string permission, string host, int port) =>
        Split(permission) is var (allowedHost, allowedPort)
        && (allowedPort == AnyPort || allowedPort == port)
        && (allowedHost == "*" || allowedHost == host);

    // channels.c remote_open_match: the port equal or "*", the host a pattern matched against the lower-cased request.
    private static bool ListenMatches(string permission, string host, int port) =>
        Split(permission) is var (allowedHost, allowedPort)
        && (allowedPort == AnyPort || allowedPort == port)
        && SshdConfigPatterns.Match(host.ToLowerInvariant(), allowedHost);

    /// <summary>"host:port", "[v6]:port" or "host/port" → host (brackets removed) and port (0 for "*"; -1 if malformed).</summary>
    internal static (string Host, int Port) Split(string permission)
    {
        string host, port;
        if (permission.StartsWith('['))
        {
            var close = permission.IndexOf(']');
            if (close < 0 || close + 1 >= permission.Length || permission[close + 1] is not (':' or '/'))
                return ("", -1);
            host = permission[1..close];
            port = permission[(close + 2)..];
        }
        else
        {
            var at = permission.IndexOfAny([':', '/']);
            if (at < 0)
                return ("", -1);
            host = permission[..at];
            port = permission[(at + 1)..];
        }
        if (port == "*")
            return (host, AnyPort);
        return (host, SshdConfigValues.ParsePort(port) is var p && p > 0 ? p : -1);
    }
}
