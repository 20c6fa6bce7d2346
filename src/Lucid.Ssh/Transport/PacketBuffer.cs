using System.Buffers;
using System.Security.Cryptography;

namespace Lucid.Ssh.Transport;

/// <summary>
/// A packet reader's or writer's buffer from the shared pool, remembering how far it was ever written so that
/// returning it wipes only that part. Wiping a whole 512 KiB array on return wrote to every page of it: each
/// connection's buffers became resident memory for good, ~1 MiB per connection after a flood of them had gone.
/// </summary>
internal sealed class PacketBuffer
{
    /// <summary>What a connection holds for each direction until it authenticates (or needs more for one packet).</summary>
    public const int SmallSize = 4 * 1024;

    public static readonly PacketBuffer Empty = new([]);

    private int _touched;
    private bool _returned;

    private PacketBuffer(byte[] array) => Array = array;

    public byte[] Array { get; }

    public int Length => Array.Length;

    public static PacketBuffer Rent(int size) => new(ArrayPool<byte>.Shared.Rent(size));

    /// <summary>Records that bytes up to <paramref name="end"/> may hold data (decrypted or not yet encrypted).</summary>
    public void Touched(int end)
    {
        if (end > _touched)
            _touched = end;
    }

    /// <summary>A buffer of at least <paramref name="size"/> bytes holding this one's <paramref name="count"/> bytes from <paramref name="start"/> at its start; this one goes back.</summary>
    public PacketBuffer MoveTo(int size, int start, int count)
    {
        var next = Rent(Math.Max(size, count));
        Array.AsSpan(start, count).CopyTo(next.Array);
        next.Touched(count);
        Return();
        return next;
    }

    /// <summary>Wipes what was written and returns the array to the pool.</summary>
    public void Return()
    {
        if (Array.Length == 0 || _returned)
            return;
        _returned = true;
        CryptographicOperations.ZeroMemory(Array.AsSpan(0, _touched));
        _touched = 0;
        ArrayPool<byte>.Shared.Return(Array);
    }
}
