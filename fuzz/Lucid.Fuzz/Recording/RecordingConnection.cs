using Lucid.Ssh;
using Lucid.Ssh.Transport;

namespace Lucid.Fuzz.Recording;

/// <summary>A transport decorator that keeps a copy of every message the peer sent, decrypted, in order.</summary>
internal sealed class RecordingConnection(IPacketConnection inner) : IPacketConnection
{
    private readonly List<byte[]> _received = [];

    /// <summary>The messages received so far; <see cref="Mark"/> splits them (before and after authentication).</summary>
    public List<byte[]> Received
    {
        get
        {
            lock (_received)
                return [.. _received];
        }
    }

    public int Mark()
    {
        lock (_received)
            return _received.Count;
    }

    public ReadOnlyMemory<byte> SessionId => inner.SessionId;

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        inner.SendAsync(payload, cancellationToken);

    public async ValueTask<SshPacket> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var packet = await inner.ReceiveAsync(cancellationToken);
        lock (_received)
            _received.Add(packet.Payload.ToArray());
        return packet;
    }

    public ValueTask DisconnectAsync(DisconnectReason reason, string description, CancellationToken cancellationToken = default) =>
        inner.DisconnectAsync(reason, description, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
