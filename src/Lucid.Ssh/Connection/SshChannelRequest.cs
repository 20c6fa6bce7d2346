namespace Lucid.Ssh.Connection;

/// <summary>
/// An SSH_MSG_CHANNEL_REQUEST received from the peer. The handler must call <see cref="Reply"/> once when
/// <see cref="WantReply"/> is set, and replies must be given in the order the requests arrived.
/// </summary>
public sealed class SshChannelRequest
{
    private readonly SshChannel _channel;
    private int _replied;

    internal SshChannelRequest(SshChannel channel, string type, bool wantReply, byte[] data)
    {
        _channel = channel;
        Type = type;
        WantReply = wantReply;
        Data = data;
    }

    public string Type { get; }
    public bool WantReply { get; }

    /// <summary>The type-specific data after the want-reply flag.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public SshChannel Channel => _channel;

    /// <summary>Sends CHANNEL_SUCCESS or CHANNEL_FAILURE if the peer asked for a reply; otherwise does nothing.</summary>
    public void Reply(bool success)
    {
        if (!WantReply || Interlocked.Exchange(ref _replied, 1) != 0)
            return;
        _channel.SendRequestReply(success);
    }
}
