using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Transport;

/// <summary>One direction's protection after a NEWKEYS: cipher, MAC (unless AEAD), EtM flag, compression.</summary>
internal sealed class PacketKeys : IDisposable
{
    public PacketKeys(PacketCipher cipher, PacketMac? mac, bool encryptThenMac, CompressionAlgorithmInfo compression)
    {
        Cipher = cipher;
        Mac = cipher.IsAead ? null : mac;
        EncryptThenMac = !cipher.IsAead && encryptThenMac;
        Compression = compression;
    }

    public PacketCipher Cipher { get; }
    public PacketMac? Mac { get; }
    public bool EncryptThenMac { get; }
    public CompressionAlgorithmInfo Compression { get; }

    /// <summary>AEAD and EtM leave the length field out of the padding computation and out of the encryption.</summary>
    public bool LengthInClear => Cipher.IsAead || EncryptThenMac;

    public int TagSize => Cipher.IsAead ? Cipher.TagSize : Mac?.TagSize ?? 0;

    public void Dispose()
    {
        Cipher.Dispose();
        Mac?.Dispose();
    }
}
