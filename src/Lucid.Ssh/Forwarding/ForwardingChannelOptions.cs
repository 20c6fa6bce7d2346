using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Forwarding;

/// <summary>
/// What the server advertises for the channels it accepts or opens for forwarding (direct-tcpip, forwarded-tcpip and
/// their streamlocal kin): the connection's window, but at most OpenSSH's 32 KiB maximum packet (CHAN_TCP_PACKET_DEFAULT) instead
/// of our usual 128 KiB. Clients fill forwarded data up to the peer's maximum, and SSH.NET cannot frame a packet
/// past ~68,000 bytes ("Packet is too big"), so with 128 KiB its -L and -R tunnels died on the first large write.
/// </summary>
internal static class ForwardingChannelOptions
{
    public const uint MaxPacketSize = 32 * 1024;

    public static SshChannelOptions For(SshConnection connection) =>
        connection.ChannelOptions with { MaxPacketSize = Math.Min(connection.ChannelOptions.MaxPacketSize, MaxPacketSize) };
}
