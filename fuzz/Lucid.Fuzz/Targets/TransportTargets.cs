using Lucid.Ssh;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Transport;

namespace Lucid.Fuzz.Targets;

/// <summary>The transport's parsers: the packet framer, KEXINIT, and every key exchange message in both roles.</summary>
internal static class TransportTargets
{
    private const string OpenSshVersion = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";

    /// <summary>How long one scripted handshake may take before it counts as a hang (a bug, unlike a typed refusal).</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private static readonly Lazy<SshPrivateKey[]> HostKeys = new(() =>
        [SshPrivateKey.Generate("ssh-ed25519"), SshPrivateKey.Generate("ecdsa-sha2-nistp256"), SshPrivateKey.Generate("ssh-rsa", 2048)]);

    /// <summary>
    /// The packet framer (PacketReader) over a raw byte stream. The first byte picks the keys in force: none (the
    /// handshake), or fixed keys for aes128-ctr + hmac-sha2-256, aes128-ctr + hmac-sha2-256-etm, aes256-gcm or
    /// chacha20-poly1305 (lengths are decrypted and checked before the MAC fails). Byte 5 instead seals the rest,
    /// read as messages, with aes128-ctr + hmac-sha2-256 and reads them back with zlib on: each message reaches the
    /// decompressor as it came.
    /// </summary>
    public static void PacketFramer(byte[] data)
    {
        if (data.Length == 0)
            return;
        int mode = data[0] % 6;
        var rest = data.AsSpan(1).ToArray();
        Stream stream = mode == 5 ? SealedForZlib(rest) : new ScriptedStream(rest, chunk: 700);
        using var reader = new PacketReader(stream);
        if (mode is >= 1 and <= 4)
            reader.SetKeys(Keys(mode, encrypt: false, compression: "none"));
        else if (mode == 5)
        {
            reader.SetKeys(Keys(1, encrypt: false, compression: "zlib"));
        }
        if (mode == 0)
        {
            while (!reader.ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().StartsWith("SSH-", StringComparison.Ordinal))
            {
            }
        }
        for (int i = 0; i < FuzzInput.MaxMessages; i++)
            reader.ReadPacketAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private static MemoryStream SealedForZlib(byte[] messages)
    {
        var sealedStream = new MemoryStream();
        using (var writer = new PacketWriter(sealedStream))
        {
            writer.SetKeys(Keys(1, encrypt: true, compression: "none"));
            foreach (var message in FuzzInput.Messages(messages))
            {
                writer.Append(message);
                writer.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
        return new MemoryStream(sealedStream.ToArray());
    }

    private static PacketKeys Keys(int mode, bool encrypt, string compression)
    {
        var (cipherName, macName) = mode switch
        {
            1 => ("aes128-ctr", "hmac-sha2-256"),
            2 => ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
            3 => ("aes256-gcm@openssh.com", null),
            _ => ("chacha20-poly1305@openssh.com", (string?)null),
        };
        var cipher = AlgorithmRegistry.FindCipher(cipherName)!;
        var mac = macName is null ? null : AlgorithmRegistry.FindMac(macName)!;
        var key = Enumerable.Range(1, cipher.KeySize).Select(i => (byte)i).ToArray();
        var iv = Enumerable.Range(100, cipher.IvSize).Select(i => (byte)i).ToArray();
        var macKey = mac is null ? [] : Enumerable.Range(50, mac.KeySize).Select(i => (byte)i).ToArray();
        return new PacketKeys(cipher.Create(key, iv, encrypt), mac?.Create(macKey), mac?.EncryptThenMac ?? false,
            AlgorithmRegistry.FindCompression(compression)!);
    }

    /// <summary>A peer's KEXINIT: parsed, then negotiated against ours in both roles as the transport does.</summary>
    public static void KexInit(byte[] data)
    {
        var peer = KexInitMessage.Parse(data);
        var ours = AllAlgorithmsKexInit();
        foreach (var (client, server, weAreServer) in new[] { (peer, ours, true), (ours, peer, false) })
        {
            KexInitMessage.GuessIsRight(client, server);
            try
            {
                KexInitMessage.Negotiate(client, server, weAreServer);
            }
            catch (SshProtocolException)
            {
                // No common algorithm: refused with OpenSSH's message, as it should be.
            }
        }
    }

    private static KexInitMessage AllAlgorithmsKexInit() => new()
    {
        Kex = [.. AlgorithmRegistry.Names(AlgorithmCategory.Kex), "ext-info-s", KexInitMessage.KexStrictServer],
        HostKey = [.. AlgorithmRegistry.HostKey.Concat(AlgorithmRegistry.HostCertificate).Select(a => a.Name)],
        CipherC2S = [.. AlgorithmRegistry.Names(AlgorithmCategory.Cipher)],
        CipherS2C = [.. AlgorithmRegistry.Names(AlgorithmCategory.Cipher)],
        MacC2S = [.. AlgorithmRegistry.Names(AlgorithmCategory.Mac)],
        MacS2C = [.. AlgorithmRegistry.Names(AlgorithmCategory.Mac)],
        CompressionC2S = ["none", "zlib@openssh.com", "zlib"],
        CompressionS2C = ["none", "zlib@openssh.com", "zlib"],
    };

    /// <summary>
    /// The client's key exchange against a server that sends the input's messages after OpenSSH's version line:
    /// KEXINIT, then whatever reply the negotiated method expects (KEX_ECDH_REPLY, KEXDH_REPLY, KEX_DH_GEX_GROUP and
    /// KEX_DH_GEX_REPLY) with the host key, the server's public value and the signature. The client offers every
    /// method Lucid has, so the server's KEXINIT picks which reply parser runs.
    /// </summary>
    public static void KexClient(byte[] data)
    {
        var stream = ScriptedStream.Handshake(OpenSshVersion, FuzzInput.Messages(data));
        var options = new ClientTransportOptions
        {
            KexAlgorithms = AlgorithmRegistry.Names(AlgorithmCategory.Kex),
            HostKeyAlgorithms = [.. AlgorithmRegistry.HostCertificate.Concat(AlgorithmRegistry.HostKey).Select(a => a.Name)],
            Ciphers = AlgorithmRegistry.Names(AlgorithmCategory.Cipher),
            Macs = AlgorithmRegistry.Names(AlgorithmCategory.Mac),
            Compression = ["none", "zlib@openssh.com", "zlib"],
            HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
            HandshakeTimeout = HangLimit,
        };
        Complete(() => SshTransport.ConnectClientAsync(stream, options));
    }

    /// <summary>
    /// The server's methods split in two harnesses by cost: the large finite-field groups take the server 0.1-1 s of
    /// modular exponentiation per input (8192-bit GEX groups), the elliptic-curve methods and group14 a millisecond.
    /// </summary>
    public static readonly string[] FastServerKex = [.. AlgorithmRegistry.Names(AlgorithmCategory.Kex).Where(n => !IsLargeGroup(n))];
    public static readonly string[] LargeGroupServerKex = [.. AlgorithmRegistry.Names(AlgorithmCategory.Kex).Where(IsLargeGroup)];

    private static bool IsLargeGroup(string kex) =>
        kex is "diffie-hellman-group-exchange-sha256" or "diffie-hellman-group16-sha512" or "diffie-hellman-group18-sha512";

    /// <summary>
    /// The server's key exchange against a client that sends the input's messages after OpenSSH's version line:
    /// KEXINIT, then KEX_ECDH_INIT, KEXDH_INIT or KEX_DH_GEX_REQUEST and KEX_DH_GEX_INIT, then NEWKEYS.
    /// The server offers <paramref name="kexMethods"/>.
    /// </summary>
    public static void KexServer(byte[] data, IReadOnlyList<string> kexMethods)
    {
        var stream = ScriptedStream.Handshake(OpenSshVersion, FuzzInput.Messages(data));
        var options = new ServerTransportOptions
        {
            HostKeys = HostKeys.Value,
            KexAlgorithms = kexMethods,
            HostKeyAlgorithms = AlgorithmRegistry.Names(AlgorithmCategory.HostKey),
            Ciphers = AlgorithmRegistry.Names(AlgorithmCategory.Cipher),
            Macs = AlgorithmRegistry.Names(AlgorithmCategory.Mac),
            Compression = ["none", "zlib@openssh.com", "zlib"],
            HandshakeTimeout = HangLimit,
        };
        Complete(() => SshTransport.AcceptServerAsync(stream, options));
    }

    private static void Complete(Func<Task<SshTransport>> handshake)
    {
        SshTransport transport;
        try
        {
            transport = handshake().GetAwaiter().GetResult();
        }
        catch (SshConnectionException e) when (e.Message.StartsWith("Connection timed out", StringComparison.Ordinal))
        {
            throw new TimeoutException("the handshake hung on a script that had already ended", e);
        }
        // A handshake that completes (a script replaying a whole exchange) is fine; the stream then ends.
        transport.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
