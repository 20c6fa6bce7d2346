using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Server;

/// <summary>Where a connection comes from and arrived at; the facts Match, from= and log lines use.</summary>
internal sealed record ServerClientInfo(string Ip, int Port, string LocalIp, int LocalPort)
{
    /// <summary>The client's host name; sshd uses the address unless UseDNS is on, and so does Lucid.</summary>
    public string Host => Ip;

    public SshdMatchContext MatchContext(string user, IReadOnlyList<string> groups, bool invalidUser = false) => new()
    {
        User = user, Groups = groups, Host = Host, Address = Ip, LocalAddress = LocalIp, LocalPort = LocalPort,
        InvalidUser = invalidUser,
    };
}
