using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Wire;
using Org.BouncyCastle.Security;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>
/// The hybrid post-quantum key exchanges at the KEM level: one mlkem768x25519-sha256 exchange frozen end to end
/// (public values, K, the exchange hash and the derived keys, computed independently by Vectors/hybrid-transcript.py
/// from an ACVP vector and RFC 7748's X25519 keys), and the checks every hybrid method makes on what it receives.
/// </summary>
public sealed class HybridKemTests
{
    // RFC 7748 section 6.1: Alice's (the client's) and Bob's (the server's) X25519 private keys.
    private static readonly byte[] ClientX25519 = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static readonly byte[] ServerX25519 = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");

    [Fact]
    public void One_mlkem768x25519_exchange_is_frozen()
    {
        var vector = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Crypto", "Vectors", "mlkem768-acvp.json")))
            .RootElement.GetProperty("encapsulation")[0];
        byte[] Hex(string name) => Convert.FromHexString(vector.GetProperty(name).GetString()!);
        var kex = AlgorithmRegistry.FindKex("mlkem768x25519-sha256")!;
        using var client = new HybridKem(new FixedMlKem768(Hex("ek"), Hex("dk"), Hex("m")), new FixedX25519(ClientX25519), 32, kex.Hash);
        using var server = new HybridKem(new FixedMlKem768(Hex("ek"), Hex("dk"), Hex("m")), new FixedX25519(ServerX25519), 32, kex.Hash);

        var clientPublic = client.CreateClientPublic();
        var serverPublic = server.ServerRespond(clientPublic, out var serverSecret);
        var clientSecret = client.ClientComplete(serverPublic);

        Assert.Equal((1216, "f4b757d8c9cf308eb14e23fa5ad56dc7b407e9fa79aaa32b85ba3c0504f4ee9f"), (clientPublic.Length, Sha256(clientPublic)));
        Assert.Equal((1120, "23d3ee1909822e6493bf0e048423224b2e1a37f5f38814d597b1e6ed7f07887d"), (serverPublic.Length, Sha256(serverPublic)));
        Assert.Equal("9dddb80adb92da4c3dcae1bf4612371318c9f3ab5e9c765485bc5e7f2948adc6", Convert.ToHexStringLower(clientSecret));
        Assert.Equal(clientSecret, serverSecret);

        var k = client.EncodeSharedSecret(clientSecret);
        Assert.Equal("00000020" + Convert.ToHexStringLower(clientSecret), Convert.ToHexStringLower(k)); // a string, never an mpint
        using var hashInput = new SshWriter(4096);
        hashInput.WriteString("SSH-2.0-OpenSSH_10.5").WriteString("SSH-2.0-Lucid")
            .WriteString([0x14, .. Encoding.ASCII.GetBytes("client kexinit")]).WriteString([0x14, .. Encoding.ASCII.GetBytes("server kexinit")]);
        using (var hostKey = new SshWriter(64))
        {
            hostKey.WriteString("ssh-ed25519").WriteString([.. Enumerable.Range(0, 32).Select(i => (byte)i)]);
            hashInput.WriteString(hostKey.WrittenSpan);
        }
        hashInput.WriteString(clientPublic).WriteString(serverPublic).WriteRaw(k);
        var h = KeyDerivation.Hash(kex, hashInput.WrittenSpan);
        Assert.Equal("511f6b735e4fe218f24bba3da8354e3b497608f583e64699b3b22d6b9c8efa6c", Convert.ToHexStringLower(h));

        string Derive(char letter, int size) => Convert.ToHexStringLower(KeyDerivation.DeriveKey(kex, k, h, letter, h, size));
        Assert.Equal("cd528174e87fe21e64eb97a1", Derive('A', 12));
        Assert.Equal("b460ca5944cca88a0a76d0b5", Derive('B', 12));
        Assert.Equal("d51137a2a5063871e3f0d1c098fde9231469fce46f77d9f126b6d55874d4c545", Derive('C', 32));
        Assert.Equal("b12116e2bbab0bedf32e9f79f8982e109f892e0cecd87611c2fa13599af3128f", Derive('D', 32));
        Assert.Equal("26d6cddd6addb3cfc509b295c4ca6463beebc93e27b6580473f9114e8554f74459c828c19ad321a93d5ddcec5fe258b1a4eb33262546f817fb51ba8149947278", Derive('E', 64));
        Assert.Equal("8ae129b3d56a01358894ee7afabced82c8947de7d7dbf673863e04ceccca9bcdd41e9a0eb2d7c6dd503470df94c4f87a3afbd4e7bdb162b957d008866108fb30", Derive('F', 64));
    }

    public static TheoryData<string, int, int> Hybrids() => new()
    {
        // name, client public size, server reply size
        { "mlkem768x25519-sha256", 1184 + 32, 1088 + 32 },
        { "mlkem768nistp256-sha256", 1184 + 65, 1088 + 65 },
        { "sntrup761x25519-sha512", 1158 + 32, 1039 + 32 },
        { "sntrup761x25519-sha512@openssh.com", 1158 + 32, 1039 + 32 },
    };

    [Theory]
    [MemberData(nameof(Hybrids))]
    public void Both_sides_agree_and_sizes_are_the_wire_sizes(string name, int clientSize, int serverSize)
    {
        var kex = AlgorithmRegistry.FindKex(name)!;
        using var client = kex.Create();
        using var server = kex.Create();
        Assert.True(client.SharedSecretIsString);
        var clientPublic = client.CreateClientPublic();
        var serverPublic = server.ServerRespond(clientPublic, out var serverSecret);
        Assert.Equal((clientSize, serverSize), (clientPublic.Length, serverPublic.Length));
        var clientSecret = client.ClientComplete(serverPublic);
        Assert.Equal(kex.Hash == HashAlgorithmName.SHA512 ? 64 : 32, clientSecret.Length);
        Assert.Equal(Convert.ToHexString(serverSecret), Convert.ToHexString(clientSecret));
    }

    [Theory]
    [MemberData(nameof(Hybrids))]
    public void Wrong_lengths_are_refused_on_both_sides(string name, int clientSize, int serverSize)
    {
        var kex = AlgorithmRegistry.FindKex(name)!;
        using var server = kex.Create();
        Assert.Contains("client public key length", Assert.Throws<SshProtocolException>(() => server.ServerRespond(new byte[clientSize - 1], out _)).Message);
        Assert.Contains("client public key length", Assert.Throws<SshProtocolException>(() => server.ServerRespond(new byte[clientSize + 1], out _)).Message);
        using var client = kex.Create();
        client.CreateClientPublic();
        Assert.Contains("server reply length", Assert.Throws<SshProtocolException>(() => client.ClientComplete(new byte[serverSize + 1])).Message);
    }

    [Theory]
    [InlineData("mlkem768x25519-sha256")]
    [InlineData("sntrup761x25519-sha512")]
    public void An_all_zero_X25519_result_is_refused(string name)
    {
        var kex = AlgorithmRegistry.FindKex(name)!;
        using var client = kex.Create();
        var clientPublic = client.CreateClientPublic();
        clientPublic.AsSpan(clientPublic.Length - 32).Clear(); // the point 0: every scalar gives an all-zero secret
        using var server = kex.Create();
        Assert.Contains("invalid curve25519 public key", Assert.Throws<SshProtocolException>(() => server.ServerRespond(clientPublic, out _)).Message);

        using var client2 = kex.Create();
        var good = client2.CreateClientPublic();
        using var server2 = kex.Create();
        var reply = server2.ServerRespond(good, out _);
        reply.AsSpan(reply.Length - 32).Clear();
        Assert.Contains("invalid curve25519 public key", Assert.Throws<SshProtocolException>(() => client2.ClientComplete(reply)).Message);
    }

    [Fact]
    public void A_P256_point_off_the_curve_is_refused()
    {
        var kex = AlgorithmRegistry.FindKex("mlkem768nistp256-sha256")!;
        using var client = kex.Create();
        var clientPublic = client.CreateClientPublic();
        clientPublic[^1] ^= 1; // y no longer matches x
        using var server = kex.Create();
        Assert.Contains("not on the curve", Assert.Throws<SshProtocolException>(() => server.ServerRespond(clientPublic, out _)).Message);
    }

    [Fact]
    public void An_unreduced_ML_KEM_key_is_refused_by_the_server()
    {
        var kex = AlgorithmRegistry.FindKex("mlkem768x25519-sha256")!;
        using var client = kex.Create();
        var clientPublic = client.CreateClientPublic();
        clientPublic[0] = 0xff;
        clientPublic[1] |= 0x0f; // coefficient 0 = 4095 ≥ q
        using var server = kex.Create();
        Assert.Contains("invalid ML-KEM-768 public key", Assert.Throws<SshProtocolException>(() => server.ServerRespond(clientPublic, out _)).Message);
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>ML-KEM-768 with a given key pair (the client) and a given m (the server), for the frozen transcript.</summary>
    private sealed class FixedMlKem768(byte[] ek, byte[] dk, byte[] m) : PostQuantumKem
    {
        private readonly BouncyCastleMlKem768 _inner = new();

        public override int PublicKeySize => MlKem768.EncapsulationKeySize;
        public override int CiphertextSize => MlKem768.CiphertextSize;

        public override byte[] GenerateKeyPair()
        {
            _inner.ImportDecapsulationKey(dk);
            return ek;
        }

        public override byte[] Encapsulate(ReadOnlySpan<byte> publicKey, out byte[] sharedSecret) =>
            _inner.Encapsulate(publicKey, new SecureRandom(new FixedBytesRandom(m)), out sharedSecret);

        public override byte[] Decapsulate(ReadOnlySpan<byte> ciphertext) => _inner.Decapsulate(ciphertext);
    }

    /// <summary>X25519 with a given private key, for the frozen transcript.</summary>
    private sealed class FixedX25519(byte[] secret) : KeyExchangeMethod
    {
        public override byte[] CreateClientPublic()
        {
            var publicKey = new byte[32];
            Sodium.X25519Base(publicKey, secret);
            return publicKey;
        }

        public override byte[] ServerRespond(ReadOnlySpan<byte> clientPublic, out byte[] sharedSecret)
        {
            sharedSecret = ClientComplete(clientPublic);
            return CreateClientPublic();
        }

        public override byte[] ClientComplete(ReadOnlySpan<byte> serverPublic)
        {
            var shared = new byte[32];
            Assert.True(Sodium.X25519(shared, secret, serverPublic));
            return shared;
        }
    }
}
