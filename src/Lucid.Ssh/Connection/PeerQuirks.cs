namespace Lucid.Ssh.Connection;

/// <summary>
/// Peers whose known bugs we work around, recognised by their version banner as OpenSSH's compat.c does. One home for
/// such exceptions, so each is written down once with the reason.
/// </summary>
internal static class PeerQuirks
{
    /// <summary>
    /// The most a peer may put in one channel data message. SSH.NET (banner "SSH-2.0-Renci.SshNet...") fills each
    /// message up to the maximum we advertise, but cannot frame a packet past ~68,000 bytes ("Packet is too big"), so a
    /// large write into a session or tunnel killed the channel with our 128 KiB; it gets OpenSSH's 32 KiB.
    /// </summary>
    public static SshChannelOptions ChannelOptionsFor(string peerVersion, SshChannelOptions options) =>
        peerVersion.StartsWith("SSH-2.0-Renci.SshNet", StringComparison.Ordinal)
            ? options with { MaxPacketSize = Math.Min(options.MaxPacketSize, 32 * 1024) }
            : options;
}
