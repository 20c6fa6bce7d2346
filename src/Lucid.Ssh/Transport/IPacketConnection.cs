namespace Lucid.Ssh.Transport;

/// <summary>
/// What every layer above the transport sees: an ordered, encrypted stream of messages. The transport
/// handles key exchange, IGNORE, DEBUG, UNIMPLEMENTED and ping itself and never hands them up; auth and
/// the connection protocol are written (and tested over in-memory pairs) against this interface alone.
/// </summary>
public interface IPacketConnection : IAsyncDisposable
{
    /// <summary>The exchange hash of the first key exchange (RFC 4253 section 7.2).</summary>
    ReadOnlyMemory<byte> SessionId { get; }

    /// <summary>Queues one message (payload starting with its message number). Waits while a key exchange is under way.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>The next message for the layers above; the caller disposes it. Throws SshConnectionException when the peer disconnects.</summary>
    ValueTask<SshPacket> ReceiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends SSH_MSG_DISCONNECT (best effort) and closes the connection.</summary>
    ValueTask DisconnectAsync(DisconnectReason reason, string description, CancellationToken cancellationToken = default);
}
