namespace Lucid.Ssh.Connection;

/// <summary>Flow-control sizes this side advertises for a channel.</summary>
public sealed record SshChannelOptions
{
    /// <summary>
    /// 8 MiB, four times OpenSSH's session window. The window is what a sender may have in flight: with 2 MiB, a
    /// bulk sender on loopback used it up with data still in the socket buffers and waited for each adjust, so the
    /// two ends took turns; with 8 MiB, uploads Lucid→Lucid measured 6-10% faster (three interleaved series of
    /// 10-14 runs) and OpenSSH's client uploading to `lucid sshd` ~6%. It is also the most a receiver buffers for
    /// the channel when its reader stalls (the memory is taken only as data arrives, so an idle channel costs
    /// nothing more), and only an authenticated peer can open a channel.
    /// </summary>
    public const uint DefaultWindowSize = 8 * 1024 * 1024;

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
