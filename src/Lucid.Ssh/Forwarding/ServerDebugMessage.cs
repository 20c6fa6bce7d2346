using Lucid.Ssh.Connection;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// SSH_MSG_DEBUG (RFC 4253 section 11.3) with always_display off: how OpenSSH's sshd tells a client why it refused
/// a forward ("Server has disabled port forwarding."); OpenSSH's ssh shows it under -v as "debug1: Remote: ...".
/// </summary>
internal static class ServerDebugMessage
{
    public static void Send(SshConnection connection, string text)
    {
        var message = new SshWriter(16 + text.Length * 3);
        message.WriteByte((byte)MessageNumber.Debug).WriteBoolean(false).WriteString(text).WriteString("");
        try
        {
            connection.Enqueue(message);
        }
        catch (Exception e) when (e is SshException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is ending: nobody to tell.
        }
    }
}
