namespace Lucid.Ssh.Connection;

/// <summary>
/// A channel the peer asked to open. Whoever handles it calls <see cref="Accept"/> or <see cref="Reject"/>
/// exactly once (now or later); the handler runs on the read loop, so it must not block.
/// </summary>
public sealed class SshChannelOpenRequest
{
    private readonly SshConnection _connection;
    private int _answered;

    internal SshChannelOpenRequest(SshConnection connection, string channelType, uint senderChannel,
        uint initialWindow, uint maxPacket, byte[] data)
    {
        _connection = connection;
        ChannelType = channelType;
        SenderChannel = senderChannel;
        InitialWindow = initialWindow;
        MaxPacket = maxPacket;
        Data = data;
    }

    public string ChannelType { get; }

    /// <summary>The type-specific data (e.g. host and port for direct-tcpip).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    internal uint SenderChannel { get; }
    internal uint InitialWindow { get; }
    internal uint MaxPacket { get; }

    /// <summary>Confirms the channel; data may flow as soon as this returns.</summary>
    public SshChannel Accept(SshChannelOptions? options = null)
    {
        MarkAnswered();
        return _connection.AcceptChannel(this, options ?? _connection.ChannelOptions);
    }

    public void Reject(ChannelOpenFailureReason reason, string description)
    {
        MarkAnswered();
        _connection.RejectChannel(SenderChannel, reason, description);
    }

    private void MarkAnswered()
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
            throw new InvalidOperationException("this channel open request was already answered");
    }
}
