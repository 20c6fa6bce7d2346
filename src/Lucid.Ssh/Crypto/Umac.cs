using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// UMAC (RFC 4418) with AES-128, for 32-, 64-, 96- or 128-bit tags. Written from the RFC: UHASH is
/// L1 (NH over 1024-byte chunks), L2 (POLY over Z_p64; messages here are far below the 16 MB where
/// RFC 4418's POLY128 stage would begin) and L3 (an inner product mod p36); the pad is PDF, AES of the nonce.
/// </summary>
internal sealed class Umac : IDisposable
{
    private const int L1KeyLength = 1024;
    private const ulong P64 = 0xFFFFFFFFFFFFFFC5; // 2^64 - 59
    private const ulong P36 = 0x0000000FFFFFFFFB; // 2^36 - 5
    private const ulong Mask64 = 0x01FFFFFF01FFFFFF;
    private const long MaxMessage = 1L << 24; // where POLY128 would be needed

    private readonly Aes _pdfAes;
    private readonly ICryptoTransform _pdf; // reused: one-shot EncryptEcb allocates per call
    private readonly int _streams;
    private readonly uint[] _nhKey;      // L1 key as big-endian 32-bit words: 1024 bytes + 16 per extra stream
    private readonly ulong[] _polyKey;   // per stream, already masked
    private readonly ulong[] _l3Key;     // per stream 8 keys mod p36
    private readonly uint[] _l3Trans;    // per stream
    private readonly byte[] _block = new byte[16];

    public Umac(ReadOnlySpan<byte> key, int tagSize)
    {
        if (key.Length != 16)
            throw new ArgumentException("UMAC keys are 16 bytes", nameof(key));
        if (tagSize is not (4 or 8 or 12 or 16))
            throw new ArgumentException("UMAC tags are 4, 8, 12 or 16 bytes", nameof(tagSize));
        TagSize = tagSize;
        _streams = tagSize / 4;

        using var kdfAes = Aes.Create();
        kdfAes.Key = key.ToArray();

        var l1 = Kdf(kdfAes, 1, L1KeyLength + 16 * (_streams - 1));
        _nhKey = new uint[l1.Length / 4];
        for (int i = 0; i < _nhKey.Length; i++)
            _nhKey[i] = BinaryPrimitives.ReadUInt32BigEndian(l1.AsSpan(4 * i));

        var l2 = Kdf(kdfAes, 2, 24 * _streams);
        _polyKey = new ulong[_streams];
        for (int i = 0; i < _streams; i++)
            _polyKey[i] = BinaryPrimitives.ReadUInt64BigEndian(l2.AsSpan(24 * i)) & Mask64;

        var l3 = Kdf(kdfAes, 3, 64 * _streams);
        _l3Key = new ulong[8 * _streams];
        for (int i = 0; i < _l3Key.Length; i++)
            _l3Key[i] = BinaryPrimitives.ReadUInt64BigEndian(l3.AsSpan(8 * i)) % P36;

        var l3b = Kdf(kdfAes, 4, 4 * _streams);
        _l3Trans = new uint[_streams];
        for (int i = 0; i < _streams; i++)
            _l3Trans[i] = BinaryPrimitives.ReadUInt32BigEndian(l3b.AsSpan(4 * i));

        var pdfKey = Kdf(kdfAes, 0, 16);
        _pdfAes = Aes.Create();
        _pdfAes.Mode = CipherMode.ECB;
        _pdfAes.Padding = PaddingMode.None;
        _pdfAes.Key = pdfKey;
        _pdf = _pdfAes.CreateEncryptor(pdfKey, null);

        CryptographicOperations.ZeroMemory(l1);
        CryptographicOperations.ZeroMemory(l2);
        CryptographicOperations.ZeroMemory(l3);
        CryptographicOperations.ZeroMemory(l3b);
        CryptographicOperations.ZeroMemory(pdfKey);
    }

    public int TagSize { get; }

    /// <summary>The tag of <paramref name="message"/> under a nonce of 1 to 16 bytes.</summary>
    public void Compute(ReadOnlySpan<byte> message, ReadOnlySpan<byte> nonce, Span<byte> tag)
    {
        if (message.Length > MaxMessage)
            throw new ArgumentException("UMAC here handles messages up to 16 MB", nameof(message));
        if (nonce.Length is 0 or > 16)
            throw new ArgumentException("UMAC nonces are 1 to 16 bytes", nameof(nonce));

        // PDF: for short tags the low bits of the nonce select which slice of the AES block is used.
        var block = _block.AsSpan();
        block.Clear();
        nonce.CopyTo(block);
        int index = 0;
        if (TagSize is 4 or 8)
        {
            int slices = 16 / TagSize;
            index = nonce[^1] & (slices - 1);
            block[nonce.Length - 1] ^= (byte)index;
        }
        _pdf.TransformBlock(_block, 0, 16, _block, 0);
        var pad = block.Slice(index * TagSize, TagSize);

        for (int s = 0; s < _streams; s++)
        {
            uint value = UHashStream(message, s);
            BinaryPrimitives.WriteUInt32BigEndian(tag[(4 * s)..], value);
        }
        for (int i = 0; i < TagSize; i++)
            tag[i] ^= pad[i];
    }

    /// <summary>UHASH for one 32-bit output stream: L1, then L2 unless the message fits one chunk, then L3.</summary>
    private uint UHashStream(ReadOnlySpan<byte> message, int stream)
    {
        var nhKey = _nhKey.AsSpan(4 * stream, L1KeyLength / 4);
        ulong l2;
        if (message.Length <= L1KeyLength)
        {
            l2 = L1Chunk(nhKey, message);
        }
        else
        {
            ulong k = _polyKey[stream];
            ulong y = 1;
            while (!message.IsEmpty)
            {
                int n = Math.Min(L1KeyLength, message.Length);
                y = Poly64Step(y, k, L1Chunk(nhKey, message[..n]));
                message = message[n..];
            }
            l2 = y >= P64 ? y - P64 : y;
        }
        return L3(stream, l2);
    }

    /// <summary>NH over one chunk (zero-padded to 32 bytes) plus its bit length.</summary>
    private static ulong L1Chunk(ReadOnlySpan<uint> key, ReadOnlySpan<byte> chunk)
    {
        ulong bitLength = (ulong)chunk.Length * 8;
        ulong y = 0;
        int whole = chunk.Length & ~31;
        y += Nh(key, chunk[..whole]);
        int rest = chunk.Length - whole;
        if (rest > 0 || chunk.Length == 0)
        {
            Span<byte> last = stackalloc byte[32];
            last.Clear();
            chunk[whole..].CopyTo(last);
            y += Nh(key[(whole / 4)..], last);
        }
        return y + bitLength;
    }

    /// <summary>NH: message words little-endian, key words as derived (big-endian); pairs four words apart.</summary>
    private static ulong Nh(ReadOnlySpan<uint> key, ReadOnlySpan<byte> data)
    {
        ulong y = 0;
        if (BitConverter.IsLittleEndian)
        {
            // The hot loop of UMAC: read the message in place as little-endian words.
            var m = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(data);
            key = key[..m.Length];
            for (int i = 0; i + 8 <= m.Length; i += 8)
            {
                y += (ulong)(m[i] + key[i]) * (m[i + 4] + key[i + 4]);
                y += (ulong)(m[i + 1] + key[i + 1]) * (m[i + 5] + key[i + 5]);
                y += (ulong)(m[i + 2] + key[i + 2]) * (m[i + 6] + key[i + 6]);
                y += (ulong)(m[i + 3] + key[i + 3]) * (m[i + 7] + key[i + 7]);
            }
            return y;
        }
        for (int offset = 0, k = 0; offset < data.Length; offset += 32, k += 8)
        {
            var d = data.Slice(offset, 32);
            for (int j = 0; j < 4; j++)
            {
                uint a = BinaryPrimitives.ReadUInt32LittleEndian(d[(4 * j)..]) + key[k + j];
                uint b = BinaryPrimitives.ReadUInt32LittleEndian(d[(4 * j + 16)..]) + key[k + j + 4];
                y += (ulong)a * b;
            }
        }
        return y;
    }

    /// <summary>One POLY step over Z_p64 with words at or above 2^64 - 2^32 escaped by the marker p - 1.</summary>
    private static ulong Poly64Step(ulong y, ulong k, ulong m)
    {
        if (m >= 0xFFFFFFFF00000000)
        {
            y = MulAddMod(k, y, P64 - 1);
            return MulAddMod(k, y, m - 59);
        }
        return MulAddMod(k, y, m);
    }

    private static ulong MulAddMod(ulong k, ulong y, ulong m)
    {
        UInt128 t = (UInt128)k * y + m;
        return (ulong)(t % P64);
    }

    /// <summary>L3: inner product of the 16-bit words of (0^64 || l2) with keys mod p36, truncated to 32 bits, xored with the translation key.</summary>
    private uint L3(int stream, ulong l2)
    {
        // The first four 16-bit words of the 128-bit input are zero, so only keys 5..8 contribute.
        var k = _l3Key.AsSpan(8 * stream + 4, 4);
        ulong t = k[0] * (l2 >> 48) + k[1] * ((l2 >> 32) & 0xFFFF) + k[2] * ((l2 >> 16) & 0xFFFF) + k[3] * (l2 & 0xFFFF);
        t %= P36;
        return (uint)t ^ _l3Trans[stream];
    }

    private static byte[] Kdf(Aes aes, byte index, int length)
    {
        var output = new byte[(length + 15) / 16 * 16];
        Span<byte> input = stackalloc byte[16];
        for (int i = 0; i * 16 < output.Length; i++)
        {
            input.Clear();
            input[7] = index;
            BinaryPrimitives.WriteUInt64BigEndian(input[8..], (ulong)(i + 1));
            aes.EncryptEcb(input, output.AsSpan(16 * i, 16), PaddingMode.None);
        }
        return output.Length == length ? output : output[..length];
    }

    public void Dispose()
    {
        _pdf.Dispose();
        _pdfAes.Dispose();
        Array.Clear(_nhKey);
        Array.Clear(_polyKey);
        Array.Clear(_l3Key);
        Array.Clear(_l3Trans);
    }
}
