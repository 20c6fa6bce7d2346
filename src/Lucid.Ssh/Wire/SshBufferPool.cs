using System.Buffers;

namespace Lucid.Ssh.Wire;

/// <summary>
/// The pool for packet-sized buffers on the per-packet path (received payload copies, queued outgoing
/// payloads, channel data messages). The per-connection reader and writer buffers stay in the shared pool.
/// </summary>
/// <remarks>
/// Not <see cref="ArrayPool{T}.Shared"/>: its per-core buckets keep only a few dozen arrays of one size,
/// while one bulk transfer holds a window's worth of 32 KiB packets in the queues at once (64 received
/// payloads waiting for the connection, up to 64 queued for the writer, a megabyte in the channel send
/// queue) — and an in-process client and server share one pool. Past the shared pool's limit every packet
/// allocated a fresh array. This pool keeps up to <see cref="ArraysPerBucket"/> arrays of each size, so a
/// steady transfer reuses the same buffers; memory it keeps is what a transfer actually had in flight.
/// </remarks>
internal static class SshBufferPool
{
    /// <summary>Largest array pooled: a maximum-size packet (256 KiB) rounds up to this bucket.</summary>
    public const int MaxArrayLength = 512 * 1024;

    public const int ArraysPerBucket = 256;

    public static ArrayPool<byte> Shared { get; } = ArrayPool<byte>.Create(MaxArrayLength, ArraysPerBucket);
}
