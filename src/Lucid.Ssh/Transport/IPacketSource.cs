using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Transport;

/// <summary>
/// An ordered queue of outgoing messages that the transport's write loop drains itself (attached with
/// <see cref="SshTransport.AttachSource"/>), instead of a second loop relaying each message through
/// <see cref="IPacketConnection.SendAsync"/>: one thread hop and one copy fewer per packet. Like the
/// application queue it is held back during a key exchange.
/// </summary>
internal interface IPacketSource
{
    /// <summary>The next message, or false when the queue is empty. Called by the write loop only.</summary>
    bool TryTake(out OutboundMessage message);
}

/// <summary>One message waiting to be sent: either a small control message or a pooled data buffer.</summary>
internal readonly struct OutboundMessage(SshWriter? writer, byte[]? pooled, int length)
{
    public int Length => length;

    public ReadOnlyMemory<byte> Payload => writer is not null ? writer.WrittenMemory : pooled.AsMemory(0, length);

    public void Release()
    {
        writer?.Dispose();
        if (pooled is not null)
            SshBufferPool.Shared.Return(pooled);
    }
}
