using System.Buffers.Binary;
using System.Security.Cryptography;
using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>
/// The AEAD ciphers seal a payload from its own buffer (the packet writer's bulk path, with no copy first): the
/// packet and tag must be exactly those of sealing the same packet with the payload copied in.
/// </summary>
public sealed class SealFromTests
{
    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var cipher in new[] { "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com" })
            foreach (int length in new[] { 0, 1, 7, 63, 64, 65, 1000, 131072 })
                cases.Add(cipher, length);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sealing_from_the_payloads_own_buffer_gives_the_packet_sealing_it_in_place_does(string cipherName, int payloadLength)
    {
        var info = AlgorithmRegistry.FindCipher(cipherName)!;
        var key = RandomNumberGenerator.GetBytes(info.KeySize);
        var iv = RandomNumberGenerator.GetBytes(info.IvSize);
        using var inPlace = info.Create(key, iv, true);
        using var fromPayload = info.Create(key, iv, true);
        var payload = RandomNumberGenerator.GetBytes(payloadLength);
        for (uint sequence = 3; sequence < 6; sequence++) // the nonce or counter moves on per packet in both
        {
            var packet = Framed(payloadLength, info.BlockSize);
            var expected = (byte[])packet.Clone();
            payload.CopyTo(expected, 5);
            var expectedTag = new byte[16];
            inPlace.Seal(sequence, expected, expectedTag);

            var tag = new byte[16];
            fromPayload.SealFrom(sequence, packet, 5, payload, tag);

            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(packet));
            Assert.Equal(Convert.ToHexString(expectedTag), Convert.ToHexString(tag));
        }
    }

    // uint32 length, padding length, room for the payload, random padding: as the packet writer lays a packet out.
    private static byte[] Framed(int payloadLength, int blockSize)
    {
        blockSize = Math.Max(8, blockSize);
        int padding = blockSize - (1 + payloadLength) % blockSize;
        if (padding < 4)
            padding += blockSize;
        var packet = new byte[4 + 1 + payloadLength + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(packet.Length - 4));
        packet[4] = (byte)padding;
        RandomNumberGenerator.Fill(packet.AsSpan(5 + payloadLength));
        return packet;
    }
}
