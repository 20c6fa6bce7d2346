using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Crypto;

/// <summary>
/// aes128-gcm@openssh.com / aes256-gcm@openssh.com (RFC 5647 as OpenSSH uses it): the length field is
/// authenticated but not encrypted; the 12-byte nonce is a fixed 4-byte field and a 64-bit invocation
/// counter that is incremented after every packet.
/// </summary>
internal sealed class AesGcmCipher : PacketCipher
{
    private readonly AesGcm _gcm;
    private readonly byte[] _nonce = new byte[12];

    public AesGcmCipher(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool encrypt)
    {
        _gcm = new AesGcm(key, 16);
        iv[..12].CopyTo(_nonce);
    }

    public override int BlockSize => 16;
    public override int TagSize => 16;

    public override void Seal(uint sequence, Span<byte> packet, Span<byte> tag)
    {
        var body = packet[4..];
        _gcm.Encrypt(_nonce, body, body, tag, packet[..4]);
        Increment();
    }

    public override uint PeekLength(uint sequence, ReadOnlySpan<byte> first4) => BinaryPrimitives.ReadUInt32BigEndian(first4);

    public override bool Open(uint sequence, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        var body = packet[4..];
        try
        {
            _gcm.Decrypt(_nonce, body, tag, body, packet[..4]);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        Increment();
        return true;
    }

    private void Increment()
    {
        var counter = _nonce.AsSpan(4);
        BinaryPrimitives.WriteUInt64BigEndian(counter, BinaryPrimitives.ReadUInt64BigEndian(counter) + 1);
    }

    public override void Dispose()
    {
        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_nonce);
    }
}
