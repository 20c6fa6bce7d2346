using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Transport;

/// <summary>The outcome of one KEXINIT negotiation (for logs, `lucid audit` and -v).</summary>
public sealed record NegotiatedAlgorithms(
    KexAlgorithmInfo Kex,
    HostKeyAlgorithmInfo HostKey,
    CipherAlgorithmInfo CipherClientToServer,
    CipherAlgorithmInfo CipherServerToClient,
    MacAlgorithmInfo? MacClientToServer,
    MacAlgorithmInfo? MacServerToClient,
    CompressionAlgorithmInfo CompressionClientToServer,
    CompressionAlgorithmInfo CompressionServerToClient)
{
    /// <summary>The MAC name as OpenSSH logs it: "&lt;implicit&gt;" for AEAD ciphers.</summary>
    public static string MacName(CipherAlgorithmInfo cipher, MacAlgorithmInfo? mac) => cipher.IsAead ? "<implicit>" : mac?.Name ?? "none";
}
