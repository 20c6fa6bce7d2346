using System.Security.Cryptography;
using System.Text.Json;
using Lucid.Ssh.Crypto;
using Org.BouncyCastle.Security;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>
/// ML-KEM-768 against NIST's ACVP vectors (Vectors/mlkem768-acvp.json, a trimmed copy of the ACVP-Server's keyGen and
/// encapDecap internal projections): key generation from (d, z), encapsulation with a fixed m, and decapsulation
/// including the implicit-rejection cases ("modify ciphertext"). Every backend the platform offers is run.
/// </summary>
public sealed class MlKem768AcvpTests
{
    private static readonly Lazy<JsonDocument> Vectors = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Crypto", "Vectors", "mlkem768-acvp.json"))));

    private static JsonElement Root => Vectors.Value.RootElement;

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);

    public static TheoryData<string> Backends()
    {
        var data = new TheoryData<string> { "bouncycastle" };
        if (MLKem.IsSupported)
            data.Add("platform");
        return data;
    }

    [Fact]
    public void The_trimmed_vector_file_holds_what_the_tests_expect()
    {
        Assert.Equal(8, Root.GetProperty("keyGen").GetArrayLength());
        Assert.Equal(8, Root.GetProperty("encapsulation").GetArrayLength());
        Assert.Equal(10, Root.GetProperty("decapsulation").GetProperty("tests").GetArrayLength());
    }

    [Fact]
    public void The_platform_backend_serves_exactly_where_dotnet_supports_MLKem()
    {
        using var kem = MlKem768.Create();
        Assert.Equal(MLKem.IsSupported, kem is PlatformMlKem768);
        Assert.Equal(!MLKem.IsSupported, kem is BouncyCastleMlKem768);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void KeyGen_vectors(string backend)
    {
        foreach (var test in Root.GetProperty("keyGen").EnumerateArray())
        {
            byte[] seed = [.. Hex(test, "d"), .. Hex(test, "z")];
            var (ek, dk) = backend == "platform" ? PlatformKeyGen(seed) : BouncyCastleKeyGen(seed);
            Assert.Equal(Convert.ToHexString(Hex(test, "ek")), Convert.ToHexString(ek));
            Assert.Equal(Convert.ToHexString(Hex(test, "dk")), Convert.ToHexString(dk));
        }
    }

    [Fact]
    public void Encapsulation_vectors()
    {
        // Only BouncyCastle takes the message m from outside; .NET's MLKem always draws its own.
        foreach (var test in Root.GetProperty("encapsulation").EnumerateArray())
        {
            using var kem = new BouncyCastleMlKem768();
            var c = kem.Encapsulate(Hex(test, "ek"), new SecureRandom(new FixedBytesRandom(Hex(test, "m"))), out var k);
            Assert.Equal(Convert.ToHexString(Hex(test, "c")), Convert.ToHexString(c));
            Assert.Equal(Convert.ToHexString(Hex(test, "k")), Convert.ToHexString(k));
            using var receiver = ImportBouncyCastle(Hex(test, "dk"));
            Assert.Equal(Convert.ToHexString(k), Convert.ToHexString(receiver.Decapsulate(c)));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Decapsulation_vectors_including_implicit_rejection(string backend)
    {
        var group = Root.GetProperty("decapsulation");
        var dk = Hex(group, "dk");
        int rejected = 0;
        foreach (var test in group.GetProperty("tests").EnumerateArray())
        {
            using PostQuantumKem kem = backend == "platform" ? ImportPlatform(dk) : ImportBouncyCastle(dk);
            Assert.Equal(Convert.ToHexString(Hex(test, "k")), Convert.ToHexString(kem.Decapsulate(Hex(test, "c"))));
            if (test.GetProperty("reason").GetString() == "modify ciphertext")
                rejected++;
        }
        Assert.True(rejected > 0, "the trimmed set must keep implicit-rejection cases");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_fresh_key_pair_round_trips(string backend)
    {
        using PostQuantumKem client = backend == "platform" ? new PlatformMlKem768() : new BouncyCastleMlKem768();
        using var server = MlKem768.Create();
        var ek = client.GenerateKeyPair();
        Assert.Equal(MlKem768.EncapsulationKeySize, ek.Length);
        Assert.True(MlKem768.IsValidEncapsulationKey(ek));
        var c = server.Encapsulate(ek, out var k);
        Assert.Equal(MlKem768.CiphertextSize, c.Length);
        Assert.Equal(Convert.ToHexString(k), Convert.ToHexString(client.Decapsulate(c)));
    }

    [Theory]
    [InlineData(0, 3328, true)]     // the largest reduced coefficient
    [InlineData(0, 3329, false)]    // q itself: not reduced
    [InlineData(0, 4095, false)]
    [InlineData(1, 3329, false)]    // the high 12 bits of a 3-byte group
    [InlineData(767, 3329, false)]  // the last coefficient of t-hat
    public void The_encapsulation_key_check_refuses_unreduced_coefficients(int index, int value, bool valid)
    {
        var ek = Hex(Root.GetProperty("encapsulation")[0], "ek");
        SetCoefficient(ek, index, value);
        Assert.Equal(valid, MlKem768.IsValidEncapsulationKey(ek));
        foreach (var backend in Backends())
        {
            using PostQuantumKem kem = backend == "platform" ? new PlatformMlKem768() : new BouncyCastleMlKem768();
            if (valid)
                kem.Encapsulate(ek, out _);
            else
                Assert.Contains("invalid ML-KEM-768 public key", Assert.Throws<SshProtocolException>(() => kem.Encapsulate(ek, out _)).Message);
        }
    }

    [Fact]
    public void The_encapsulation_key_check_refuses_wrong_lengths()
    {
        var ek = Hex(Root.GetProperty("encapsulation")[0], "ek");
        Assert.True(MlKem768.IsValidEncapsulationKey(ek));
        Assert.False(MlKem768.IsValidEncapsulationKey(ek.AsSpan(0, ek.Length - 1)));
        Assert.False(MlKem768.IsValidEncapsulationKey([.. ek, 0]));
    }

    // ByteEncode12: coefficient 2i is the low 12 bits of bytes 3i..3i+2, coefficient 2i+1 the high 12 bits.
    private static void SetCoefficient(byte[] ek, int index, int value)
    {
        int at = index / 2 * 3;
        if (index % 2 == 0)
        {
            ek[at] = (byte)value;
            ek[at + 1] = (byte)(ek[at + 1] & 0xf0 | value >> 8);
        }
        else
        {
            ek[at + 1] = (byte)(ek[at + 1] & 0x0f | (value & 0x0f) << 4);
            ek[at + 2] = (byte)(value >> 4);
        }
    }

    private static (byte[] Ek, byte[] Dk) BouncyCastleKeyGen(byte[] seed)
    {
        using var kem = new BouncyCastleMlKem768();
        var ek = kem.GenerateKeyPair(seed);
        return (ek, kem.ExportDecapsulationKey());
    }

    private static (byte[] Ek, byte[] Dk) PlatformKeyGen(byte[] seed)
    {
        using var kem = new PlatformMlKem768();
        var ek = kem.GenerateKeyPair(seed);
        return (ek, kem.ExportDecapsulationKey());
    }

    private static BouncyCastleMlKem768 ImportBouncyCastle(byte[] dk)
    {
        var kem = new BouncyCastleMlKem768();
        kem.ImportDecapsulationKey(dk);
        return kem;
    }

    private static PlatformMlKem768 ImportPlatform(byte[] dk)
    {
        var kem = new PlatformMlKem768();
        kem.ImportDecapsulationKey(dk);
        return kem;
    }
}
