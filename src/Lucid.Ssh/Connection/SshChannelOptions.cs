namespace Lucid.Ssh.Connection;

/// <summary>Flow-control sizes this side advertises for a channel.</summary>
public sealed record SshChannelOptions
{
    /// <summary>OpenSSH's session window (2 MiB).</summary>
    public const uint DefaultWindowSize = 2 * 1024 * 1024;

    /// <summary>
    /// The largest data message we accept: 128 KiB, four times OpenSSH's 32 KiB. It only bounds what the peer
    /// may send (OpenSSH still sends at most its own 32 KiB chunks); a Lucid peer sends what it reads in one
    /// go, and fewer, larger packets cost less per byte. The framed packet stays well inside the 256 KiB
    /// that OpenSSH and our PacketReader accept (RFC 4253 section 6.1 requires only 35,000 bytes).
    /// </summary>
    public const uint DefaultMaxPacketSize = 128 * 1024;

    /// <summary>Bytes the peer may send before we grant more; also the most we ever buffer for this channel.</summary>
    public uint WindowSize { get; init; } = DefaultWindowSize;

    /// <summary>Largest data payload we accept in one message.</summary>
    public uint MaxPacketSize { get; init; } = DefaultMaxPacketSize;

    /// <summary>
    /// When true, code awaiting <see cref="SshChannel.Input"/> or <see cref="SshChannel.ExtendedInput"/> resumes on
    /// the connection's read loop, inside the delivery of the data, instead of on the thread pool: no thread is woken
    /// per packet. Only for a reader that passes the data straight on (`lucid ssh` writing to stdout): while it runs
    /// the connection reads nothing else, so a reader that waits for anything from the connection never resumes.
    /// </summary>
    public bool ResumeReaderInline { get; init; }

    /// <summary>
    /// When true, <see cref="SshChannel.WriteAsync"/> encrypts and sends the data on the calling thread whenever the
    /// connection's writer is idle, instead of waking a pool thread to do it: for a single bulk writer on its own
    /// thread (`lucid ssh` reading stdin). Off by default: a server pumping many programs' output lets the writer
    /// batch what several reads queued, which measured cheaper than sending each read as it comes.
    /// </summary>
    public bool SendOnWritingThread { get; init; }

    public static SshChannelOptions Default { get; } = new();

    internal void Validate()
    {
        if (WindowSize == 0)
            throw new ArgumentOutOfRangeException(nameof(WindowSize), "window size must be positive");
        if (MaxPacketSize < 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxPacketSize), "max packet size must be at least 1024");
    }
}
