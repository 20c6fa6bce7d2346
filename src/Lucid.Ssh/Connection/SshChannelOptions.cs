namespace Lucid.Ssh.Connection;

/// <summary>Flow-control sizes this side advertises for a channel.</summary>
public sealed record SshChannelOptions
{
    /// <summary>OpenSSH's session window: 64 packets of 32 KiB.</summary>
    public const uint DefaultWindowSize = 2 * 1024 * 1024;
    public const uint DefaultMaxPacketSize = 32 * 1024;

    /// <summary>Bytes the peer may send before we grant more; also the most we ever buffer for this channel.</summary>
    public uint WindowSize { get; init; } = DefaultWindowSize;

    /// <summary>Largest data payload we accept in one message.</summary>
    public uint MaxPacketSize { get; init; } = DefaultMaxPacketSize;

    public static SshChannelOptions Default { get; } = new();

    internal void Validate()
    {
        if (WindowSize == 0)
            throw new ArgumentOutOfRangeException(nameof(WindowSize), "window size must be positive");
        if (MaxPacketSize < 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxPacketSize), "max packet size must be at least 1024");
    }
}
