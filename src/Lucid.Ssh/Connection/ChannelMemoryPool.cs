using System.Buffers;

namespace Lucid.Ssh.Connection;

/// <summary>
/// Blocks for the channels' input pipes: 64 KiB each (two 32 KiB data messages), reused from a free list
/// together with their owner objects, so a steady transfer allocates neither arrays nor owners.
/// </summary>
/// <remarks>
/// The pipes' default (4 KiB segments from <see cref="ArrayPool{T}.Shared"/>) needed 512 segments to hold a
/// 2 MiB window, far more than the shared pool keeps per size, so every further segment was a new array.
/// The free list keeps at most <see cref="MaxRetained"/> blocks (16 MiB: two full default windows); beyond
/// that blocks are left to the GC, so a burst of many busy channels cannot pin memory for good.
/// The blocks are not cleared on return: they never leave this library, and a pipe only ever exposes bytes
/// written into it since the block was rented.
/// </remarks>
internal sealed class ChannelMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;
    private const int MaxRetained = 256;

    private readonly Lock _gate = new();
    private readonly Block[] _free = new Block[MaxRetained];
    private int _count;

    public static new ChannelMemoryPool Shared { get; } = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), $"at most {BlockSize} bytes per block");
        Block? block = null;
        lock (_gate)
        {
            if (_count > 0)
            {
                block = _free[--_count];
                _free[_count] = null!;
            }
        }
        block ??= new Block(this);
        block.OnRented();
        return block;
    }

    private void Return(Block block)
    {
        lock (_gate)
        {
            if (_count < _free.Length)
                _free[_count++] = block;
        }
    }

    protected override void Dispose(bool disposing)
    {
        // Shared for the process lifetime; nothing to release.
    }

    private sealed class Block(ChannelMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);
        private int _rented;

        public Memory<byte> Memory => Volatile.Read(ref _rented) == 1
            ? _array
            : throw new ObjectDisposedException(nameof(ChannelMemoryPool), "the block was returned to the pool");

        public void OnRented() => Volatile.Write(ref _rented, 1);

        public void Dispose()
        {
            // A second Dispose must not put the block on the free list twice (two pipes would then share it).
            if (Interlocked.Exchange(ref _rented, 0) == 1)
                pool.Return(this);
        }
    }
}
