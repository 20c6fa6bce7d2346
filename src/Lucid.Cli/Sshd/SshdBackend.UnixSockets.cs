using System.Net.Sockets;
using Lucid.Cli.Platform;
using Lucid.Ssh.Forwarding;
using Lucid.Ssh.Server;

namespace Lucid.Cli.Sshd;

/// <summary>Streamlocal forwarding's sockets, reached and created with the user's rights (<see cref="UserUnixSockets"/>).</summary>
internal sealed partial class SshdBackend : ISshServerUnixSockets
{
    public Socket Connect(SshServerUser user, string path) => UserUnixSockets.ConnectAs(user, path);

    public Socket Listen(SshServerUser user, string path, int bindMask, bool unlinkFirst) =>
        UserUnixSockets.ListenAs(user, path, bindMask, unlinkFirst);
}
