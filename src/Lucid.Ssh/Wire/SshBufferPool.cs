using System.Buffers;

namespace Lucid.Ssh.Wire;

/// <summary>
/// The pool for packet-sized buffers on the per-packet path (received payload copies, queued outgoing
/// payloads, channel data messages). The per-connection reader and writer buffers stay in the shared pool.
/// </summary>
/// <remarks>
/// Not <see cref="ArrayPool{T}.Shared"/>: its per-core buckets keep a few dozen arrays of one size, while every
/// busy connection holds up to a megabyte of queued data messages (about 33 of 32 KiB, each in a 64 KiB array)
/// and the transport's queues hold up to 64 packets each before the connection layer takes over; several
/// connections (or an in-process client and server) share the pool. Past the shared pool's limit every packet
/// allocated a fresh array. This pool keeps up to <see cref="ArraysPerBucket"/> arrays of each size, so steady
/// transfers reuse the same buffers; what it keeps is what was actually in flight at the peak (at most 16 MiB
/// of 64 KiB arrays).
/// </remarks>
internal static class SshBufferPool
{
    /// <summary>Largest array pooled: a maximum-size packet (256 KiB) rounds up to this bucket.</summary>
    public const int MaxArrayLength = 512 * 1024;

    public const int ArraysPerBucket = 256;

    public static ArrayPool<byte> Shared { get; } = ArrayPool<byte>.Create(MaxArrayLength, ArraysPerBucket);
}
