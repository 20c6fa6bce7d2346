using System.Threading.Channels;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Connection;

/// <summary>
/// Two ends of an in-memory "transport": what one end sends, the other receives, in order. Lets auth and
/// the connection layer run client and server in one process without sockets or crypto.
/// </summary>
public sealed class InMemoryPacketConnection : IPacketConnection
{
    private readonly Channel<SshPacket> _incoming;
    private InMemoryPacketConnection? _peer;
    private string? _disconnectReason;

    private InMemoryPacketConnection(ReadOnlyMemory<byte> sessionId)
    {
        SessionId = sessionId;
        _incoming = Channel.CreateUnbounded<SshPacket>(new UnboundedChannelOptions { SingleReader = true });
    }

    public static (InMemoryPacketConnection Client, InMemoryPacketConnection Server) CreatePair()
    {
        var sessionId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var client = new InMemoryPacketConnection(sessionId);
        var server = new InMemoryPacketConnection(sessionId);
        client._peer = server;
        server._peer = client;
        return (client, server);
    }

    public ReadOnlyMemory<byte> SessionId { get; }

    /// <summary>Every payload this end sent, by message number (for asserting what went over the "wire").</summary>
    public List<byte> SentTypes { get; } = [];

    /// <summary>The reason text of the DISCONNECT this end sent, if any.</summary>
    public string? DisconnectReason => _disconnectReason;

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (SentTypes)
            SentTypes.Add(payload.Span[0]);
        var packet = SshPacket.Copy(payload.Span);
        if (!_peer!._incoming.Writer.TryWrite(packet))
        {
            packet.Dispose();
            throw new SshConnectionException("Connection closed by peer");
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<SshPacket> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _incoming.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new SshConnectionException("Connection closed by peer");
        }
    }

    public ValueTask DisconnectAsync(Lucid.Ssh.DisconnectReason reason, string description, CancellationToken cancellationToken = default)
    {
        _disconnectReason ??= description;
        _incoming.Writer.TryComplete();
        _peer!._incoming.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => DisconnectAsync(Lucid.Ssh.DisconnectReason.ByApplication, "disposed");
}
