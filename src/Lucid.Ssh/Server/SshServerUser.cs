namespace Lucid.Ssh.Server;

/// <summary>An account the server may log in: what the system user database says about it.</summary>
public sealed record SshServerUser(string Name, uint Uid, uint Gid, string Home, string Shell, IReadOnlyList<string> Groups)
{
    public bool IsRoot => Uid == 0;
}
