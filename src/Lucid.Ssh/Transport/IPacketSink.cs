namespace Lucid.Ssh.Transport;

/// <summary>
/// A layer that takes messages straight from the transport's read loop instead of pulling them through
/// <see cref="IPacketConnection.ReceiveAsync"/>: no copy of each payload into its own buffer, no queue and no
/// thread hop per packet. Attached with <see cref="SshTransport.AttachSink"/> once authentication is over.
/// </summary>
internal interface IPacketSink
{
    /// <summary>
    /// One message (message number first), on the read loop. The payload is valid only during the call, and the
    /// call must not block: anything kept is copied. An exception ends the connection (a protocol error is
    /// reported to the peer with its reason, as for errors found by the transport itself).
    /// </summary>
    void OnPacket(ReadOnlyMemory<byte> payload);

    /// <summary>The transport ended (called once): the first failure, an ObjectDisposedException after disposal.</summary>
    void OnTransportClosed(Exception error);
}
