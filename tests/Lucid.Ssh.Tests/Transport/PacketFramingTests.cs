using System.Buffers.Binary;
using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>The binary packet protocol on its own: padding rules per mode, sequence wrap, size limits.</summary>
public sealed class PacketFramingTests
{
    public static TheoryData<string, string> Modes => new()
    {
        { "chacha20-poly1305@openssh.com", "" },
        { "aes128-gcm@openssh.com", "" },
        { "aes256-ctr", "hmac-sha2-256" },
        { "aes192-ctr", "hmac-sha2-512-etm@openssh.com" },
        { "aes128-ctr", "umac-64@openssh.com" },
        { "aes128-ctr", "umac-128-etm@openssh.com" },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Padding_is_at_least_four_bytes_and_whole_blocks_for_every_payload_size(string cipher, string mac)
    {
        var (writer, reader, wire) = Pair(cipher, mac);
        var info = AlgorithmRegistry.FindCipher(cipher)!;
        bool lengthExcluded = info.IsAead || mac.Contains("-etm");
        int tag = info.IsAead ? info.TagSize : AlgorithmRegistry.FindMac(mac)!.TagSize;
        int block = Math.Max(8, info.BlockSize);
        for (int size = 1; size <= 70; size++)
        {
            var payload = RandomNumberGenerator.GetBytes(size);
            wire.SetLength(0);
            writer.Append(payload);
            await writer.FlushAsync(default);
            int packetLength = (int)wire.Length - 4 - tag;
            int padding = packetLength - 1 - size;
            Assert.InRange(padding, 4, 4 + block - 1);
            Assert.Equal(0, (packetLength + (lengthExcluded ? 0 : 4)) % block);
            wire.Position = 0;
            var read = await reader.ReadPacketAsync(default);
            Assert.True(read.Span.SequenceEqual(payload));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Sequence_numbers_wrap_around(string cipher, string mac)
    {
        var (writer, reader, wire) = Pair(cipher, mac);
        writer.Sequence = reader.Sequence = uint.MaxValue - 1;
        for (int i = 0; i < 4; i++)
        {
            writer.Append([94, (byte)i]);
        }
        await writer.FlushAsync(default);
        wire.Position = 0;
        for (int i = 0; i < 4; i++)
            Assert.Equal((byte)i, (await reader.ReadPacketAsync(default)).Span[1]);
        Assert.Equal(2u, reader.Sequence);
    }

    [Fact]
    public async Task A_256_KiB_packet_is_accepted_and_one_byte_more_is_refused()
    {
        var wire = new MemoryStream();
        using var reader = new PacketReader(wire);
        // The largest block-aligned length at or under 256 KiB for the unencrypted framing (length + 4 a multiple of 8).
        const uint Largest = PacketReader.MaxPacketLength - 4;
        foreach (uint length in new uint[] { Largest, Largest + 8 })
        {
            wire.SetLength(0);
            var packet = new byte[4 + length];
            BinaryPrimitives.WriteUInt32BigEndian(packet, length);
            packet[4] = 4; // padding
            packet[5] = 94;
            wire.Write(packet);
            wire.Position = 0;
            if (length == Largest)
                Assert.Equal((int)length - 5, (await reader.ReadPacketAsync(default)).Length);
            else
                Assert.Equal($"Bad packet length {length}.", (await Assert.ThrowsAsync<SshProtocolException>(async () => await reader.ReadPacketAsync(default))).Message);
        }
    }

    [Fact]
    public async Task A_truncated_packet_is_a_closed_connection_not_a_crash()
    {
        var wire = new MemoryStream([0, 0, 0, 12, 4, 94, 1]);
        using var reader = new PacketReader(wire) { PeerDescription = "127.0.0.1 port 22" };
        var e = await Assert.ThrowsAsync<SshConnectionException>(async () => await reader.ReadPacketAsync(default));
        Assert.Equal("Connection closed by 127.0.0.1 port 22", e.Message);
    }

    private static (PacketWriter Writer, PacketReader Reader, MemoryStream Wire) Pair(string cipherName, string macName)
    {
        var cipher = AlgorithmRegistry.FindCipher(cipherName)!;
        var mac = cipher.IsAead ? null : AlgorithmRegistry.FindMac(macName)!;
        var key = RandomNumberGenerator.GetBytes(cipher.KeySize);
        var iv = RandomNumberGenerator.GetBytes(cipher.IvSize);
        var macKey = RandomNumberGenerator.GetBytes(mac?.KeySize ?? 0);
        var none = AlgorithmRegistry.FindCompression("none")!;
        PacketKeys Keys(bool encrypt) => new(cipher.Create(key, iv, encrypt), mac?.Create(macKey), mac?.EncryptThenMac ?? false, none);
        var wire = new MemoryStream();
        var writer = new PacketWriter(wire);
        writer.SetKeys(Keys(true));
        var reader = new PacketReader(wire);
        reader.SetKeys(Keys(false));
        return (writer, reader, wire);
    }
}
