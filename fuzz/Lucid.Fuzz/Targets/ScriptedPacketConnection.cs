using Lucid.Ssh;
using Lucid.Ssh.Transport;

namespace Lucid.Fuzz.Targets;

/// <summary>
/// An authenticated transport played from a script: ReceiveAsync hands out the scripted messages in order and then
/// reports the peer gone, as SshTransport does; what the layer above sends is discarded.
/// </summary>
internal sealed class ScriptedPacketConnection(byte[] sessionId, IReadOnlyList<byte[]> messages) : IPacketConnection
{
    private int _next;

    public ReadOnlyMemory<byte> SessionId => sessionId;

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        payload.IsEmpty ? throw new ArgumentException("empty payload", nameof(payload)) : ValueTask.CompletedTask;

    public ValueTask<SshPacket> ReceiveAsync(CancellationToken cancellationToken = default) =>
        _next < messages.Count
            ? ValueTask.FromResult(SshPacket.Copy(messages[_next++]))
            : ValueTask.FromException<SshPacket>(new SshConnectionException("Connection closed by peer"));

    public ValueTask DisconnectAsync(DisconnectReason reason, string description, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
