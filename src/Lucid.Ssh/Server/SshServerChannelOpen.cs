using Lucid.Ssh.Connection;

namespace Lucid.Ssh.Server;

/// <summary>
/// A channel the client asked to open, handed to the <see cref="SshChannelHandler"/> registered for its type.
/// The handler calls <see cref="Accept"/> or <see cref="Reject"/> once; a handler that returns (or throws)
/// without answering has the open refused with "administratively prohibited".
/// </summary>
public sealed class SshServerChannelOpen
{
    private readonly SshChannelOpenRequest _request;

    internal SshServerChannelOpen(SshServerContext context, SshChannelOpenRequest request)
    {
        Context = context;
        _request = request;
    }

    /// <summary>The connection and the user it belongs to.</summary>
    public SshServerContext Context { get; }

    /// <summary>The channel type ("session", "direct-tcpip", ...).</summary>
    public string ChannelType => _request.ChannelType;

    /// <summary>The type-specific data of CHANNEL_OPEN (direct-tcpip: host, port, originator address and port).</summary>
    public ReadOnlyMemory<byte> Data => _request.Data;

    /// <summary>Whether the open was accepted or rejected already.</summary>
    public bool IsAnswered => _request.IsAnswered;

    /// <summary>
    /// Confirms the channel. <paramref name="beforeConfirmation"/> runs before the confirmation is queued, so
    /// request handlers hooked there see every request the client sends on the channel.
    /// </summary>
    public SshChannel Accept(SshChannelOptions? options = null, Action<SshChannel>? beforeConfirmation = null) =>
        _request.Accept(options, beforeConfirmation);

    /// <summary>Refuses the open with RFC 4254's reason code (OpenSSH shows "open failed: connect failed: ...").</summary>
    public void Reject(ChannelOpenFailureReason reason, string description = "open failed") => _request.Reject(reason, description);
}
