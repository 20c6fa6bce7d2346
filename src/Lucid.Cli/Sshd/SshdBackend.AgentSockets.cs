using Lucid.Cli.Agent;
using Lucid.Cli.Platform;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>
/// Forwarded agents' sockets where OpenSSH's sshd (through 9.x) puts them: a new private directory
/// $TMPDIR/ssh-XXXXXXXXXX (mkdtemp, 0700, handed to the user) holding agent.PID, created 0600 with the user's
/// rights. The directory's mode is what keeps other users out (root aside), as with OpenSSH.
/// </summary>
internal sealed partial class SshdBackend : ISshServerAgentSockets
{
    public SshServerAgentSocket ListenForAgent(SshServerUser user)
    {
        var tmp = Environment.GetEnvironmentVariable("TMPDIR");
        var directory = AgentNative.MakeTempDirectory((string.IsNullOrEmpty(tmp) ? "/tmp" : tmp) + "/ssh-XXXXXXXXXX");
        var path = $"{directory}/agent.{Environment.ProcessId}";
        try
        {
            if (Users.GetEffectiveUid() != user.Uid)
                AgentNative.Chown(directory, user.Uid, user.Gid);
            var listener = UserUnixSockets.ListenAs(user, path, bindMask: 0x7f /* 0177 */, unlinkFirst: false);
            return new SshServerAgentSocket(listener, path, () => Remove(path, directory));
        }
        catch
        {
            Remove(path, directory);
            throw;
        }
    }

    private static void Remove(string path, string directory)
    {
        try
        {
            File.Delete(path);
            Directory.Delete(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the system's tmp cleaning, as OpenSSH leaves what it cannot remove.
        }
    }
}
