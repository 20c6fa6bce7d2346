namespace Lucid.Ssh.Server;

/// <summary>Event ids a host's logger can use to render the server's log as sshd's levels.</summary>
public static class SshServerLogEvents
{
    /// <summary>Logged at Debug with this id: OpenSSH's VERBOSE level (between INFO and DEBUG1).</summary>
    public const int Verbose = SshServerLog.Verbose;
}
