using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// aes128/192/256-ctr (RFC 4344): AES-ECB over a big-endian 128-bit counter, many blocks per call so the
/// cost of each call into OpenSSL is spread over a whole packet.
/// </summary>
internal sealed class AesCtrCipher : PacketCipher
{
    private const int ChunkBlocks = 2048; // 32 KiB of key stream per ECB call: one call for a typical packet
    private readonly Aes _aes;
    // A reused ECB transform: the one-shot EncryptEcb allocates a native context per call.
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _stream = new byte[ChunkBlocks * 16];
    private ulong _counterHigh;
    private ulong _counterLow;

    public AesCtrCipher(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        _aes = Aes.Create();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _aes.Key = key.ToArray();
        _ecb = _aes.CreateEncryptor(_aes.Key, null);
        _counterHigh = BinaryPrimitives.ReadUInt64BigEndian(iv);
        _counterLow = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);
    }

    public override int BlockSize => 16;

    public override void Transform(Span<byte> data)
    {
        if (data.Length % 16 != 0)
            throw new InvalidOperationException("AES-CTR data must be whole blocks");
        while (!data.IsEmpty)
        {
            int chunk = Math.Min(data.Length, _stream.Length);
            var stream = _stream.AsSpan(0, chunk);
            for (int offset = 0; offset < chunk; offset += 16)
            {
                BinaryPrimitives.WriteUInt64BigEndian(stream[offset..], _counterHigh);
                BinaryPrimitives.WriteUInt64BigEndian(stream[(offset + 8)..], _counterLow);
                if (++_counterLow == 0)
                    _counterHigh++;
            }
            _ecb.TransformBlock(_stream, 0, chunk, _stream, 0);
            Xor(data[..chunk], stream);
            data = data[chunk..];
        }
    }

    internal static void Xor(Span<byte> data, ReadOnlySpan<byte> stream)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = MemoryMarshal.Cast<byte, Vector<byte>>(data);
            var s = MemoryMarshal.Cast<byte, Vector<byte>>(stream[..data.Length]);
            for (int v = 0; v < d.Length; v++)
                d[v] ^= s[v];
            i = d.Length * Vector<byte>.Count;
        }
        for (; i < data.Length; i++)
            data[i] ^= stream[i];
    }

    public override void Dispose()
    {
        CryptographicOperations.ZeroMemory(_stream);
        _ecb.Dispose();
        _aes.Dispose();
    }
}
