using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// The parts of Blowfish that bcrypt needs: the "expensive" key schedule (Eksblowfish's expandstate and
/// expand0state) and ECB encryption of 64-bit blocks held as two 32-bit words.
/// </summary>
internal sealed class Blowfish
{
    private readonly uint[] _p = new uint[BlowfishInitialState.PWords];
    private readonly uint[] _s = new uint[BlowfishInitialState.SWords];

    public Blowfish() => Reset();

    /// <summary>Back to pi's digits.</summary>
    public void Reset()
    {
        var words = BlowfishInitialState.Words;
        words[..BlowfishInitialState.PWords].CopyTo(_p);
        words[BlowfishInitialState.PWords..].CopyTo(_s);
    }

    /// <summary>Wipes the key-dependent state.</summary>
    public void Clear()
    {
        Array.Clear(_p);
        Array.Clear(_s);
    }

    /// <summary>Key schedule that also mixes in <paramref name="data"/> (the salt); data and key are read as cyclic big-endian word streams.</summary>
    public unsafe void ExpandState(ReadOnlySpan<byte> data, ReadOnlySpan<byte> key)
    {
        int position = 0;
        for (int i = 0; i < _p.Length; i++)
            _p[i] ^= NextWord(key, ref position);

        position = 0;
        uint left = 0, right = 0;
        fixed (uint* p = _p, s = _s)
        {
            for (int i = 0; i < BlowfishInitialState.PWords; i += 2)
            {
                left ^= NextWord(data, ref position);
                right ^= NextWord(data, ref position);
                Encrypt(p, s, ref left, ref right);
                p[i] = left;
                p[i + 1] = right;
            }
            for (int i = 0; i < BlowfishInitialState.SWords; i += 2)
            {
                left ^= NextWord(data, ref position);
                right ^= NextWord(data, ref position);
                Encrypt(p, s, ref left, ref right);
                s[i] = left;
                s[i + 1] = right;
            }
        }
    }

    /// <summary>Key schedule with the key only (the data stream is all zeros).</summary>
    public unsafe void ExpandState(ReadOnlySpan<byte> key)
    {
        int position = 0;
        for (int i = 0; i < _p.Length; i++)
            _p[i] ^= NextWord(key, ref position);

        uint left = 0, right = 0;
        fixed (uint* p = _p, s = _s)
        {
            for (int i = 0; i < BlowfishInitialState.PWords; i += 2)
            {
                Encrypt(p, s, ref left, ref right);
                p[i] = left;
                p[i + 1] = right;
            }
            for (int i = 0; i < BlowfishInitialState.SWords; i += 2)
            {
                Encrypt(p, s, ref left, ref right);
                s[i] = left;
                s[i + 1] = right;
            }
        }
    }

    /// <summary>Encrypts consecutive 64-bit blocks, each as a pair of words, in place.</summary>
    public unsafe void EncryptBlocks(Span<uint> words)
    {
        fixed (uint* p = _p, s = _s)
        {
            for (int i = 0; i + 1 < words.Length; i += 2)
                Encrypt(p, s, ref words[i], ref words[i + 1]);
        }
    }

    // Pointers rather than arrays: bcrypt runs this a couple of million times per key file and the
    // indices (a byte each, into 256-word boxes) are always in range, so bounds checks are pure cost.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Encrypt(uint* p, uint* s, ref uint left, ref uint right)
    {
        uint l = left ^ p[0];
        uint r = right;
        for (int i = 1; i <= 16; i += 2)
        {
            r ^= F(s, l) ^ p[i];
            l ^= F(s, r) ^ p[i + 1];
        }
        left = r ^ p[17];
        right = l;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe uint F(uint* s, uint x) =>
        ((s[x >> 24] + s[0x100 | ((x >> 16) & 0xff)]) ^ s[0x200 | ((x >> 8) & 0xff)]) + s[0x300 | (x & 0xff)];

    // Four bytes at a time, wrapping around to the start of the input as bcrypt specifies.
    private static uint NextWord(ReadOnlySpan<byte> data, ref int position)
    {
        if (position + 4 <= data.Length)
        {
            uint word = BinaryPrimitives.ReadUInt32BigEndian(data[position..]);
            position += 4;
            if (position == data.Length)
                position = 0;
            return word;
        }
        uint value = 0;
        for (int i = 0; i < 4; i++)
        {
            if (position >= data.Length)
                position = 0;
            value = (value << 8) | data[position++];
        }
        return value;
    }
}
