namespace Lucid.Ssh.Connection;

/// <summary>An SSH_MSG_GLOBAL_REQUEST received from the peer. The data is copied, so it outlives the packet.</summary>
public sealed class SshGlobalRequest
{
    internal SshGlobalRequest(string name, bool wantReply, byte[] data)
    {
        Name = name;
        WantReply = wantReply;
        Data = data;
    }

    public string Name { get; }
    public bool WantReply { get; }

    /// <summary>The request-specific data after the want-reply flag.</summary>
    public ReadOnlyMemory<byte> Data { get; }
}

/// <summary>The peer's answer to a global request we sent: success (with any response data) or failure.</summary>
/// <remarks>A handler of incoming requests returns one too: <see cref="Succeed"/> with the reply's payload, or <see cref="Failure"/>.</remarks>
public readonly record struct SshGlobalRequestReply(bool Success, ReadOnlyMemory<byte> Data)
{
    /// <summary>SSH_MSG_REQUEST_FAILURE.</summary>
    public static SshGlobalRequestReply Failure => new(false, default);

    /// <summary>SSH_MSG_REQUEST_SUCCESS carrying <paramref name="data"/> (e.g. the bound port for tcpip-forward with port 0).</summary>
    public static SshGlobalRequestReply Succeed(ReadOnlyMemory<byte> data = default) => new(true, data);
}
