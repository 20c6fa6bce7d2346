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
    public SshChannel Accept(SshChannelOptions? options = null) => Accept(options, null);

    /// <summary>
    /// Confirms the channel after <paramref name="beforeConfirmation"/> has prepared it (hooked
    /// <see cref="SshChannel.RequestReceived"/>, say): no message for the channel can arrive before then, even
    /// when the accepting code runs off the read loop.
    /// </summary>
    public SshChannel Accept(SshChannelOptions? options, Action<SshChannel>? beforeConfirmation)
    {
        MarkAnswered();
        return _connection.AcceptChannel(this, options ?? _connection.ChannelOptions, beforeConfirmation);
    }

    /// <summary>Whether <see cref="Accept(SshChannelOptions?)"/> or <see cref="Reject"/> was called.</summary>
    public bool IsAnswered => Volatile.Read(ref _answered) != 0;

    /// <summary>Refuses the channel with one of RFC 4254's reason codes and a description the peer shows (OpenSSH: "open failed").</summary>
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
