using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Keys;

public sealed class OpenSshPrivateKeyFormatTests
{
    public static TheoryData<string, int> Types => new()
    {
        { "ed25519", 0 },
        { "ecdsa", 256 },
        { "ecdsa", 384 },
        { "ecdsa", 521 },
        { "rsa", 2048 },
    };

    [Theory]
    [MemberData(nameof(Types))]
    public void Reads_plain_keys_ssh_keygen_wrote_and_rewrites_them_byte_for_byte(string type, int bits)
    {
        using var keygen = new SshKeygen();
        var path = keygen.Generate("id", type, bits, comment: "alice@example");
        var text = File.ReadAllText(path);
        using var key = OpenSshPrivateKeyFormat.Read(text, null);
        Assert.Equal(SshKeygen.PublicOf(path), key.PublicKey.ToLine());
        Assert.Equal("alice@example", key.Comment);
        Assert.False(OpenSshPrivateKeyFormat.IsEncrypted(text));

        var file = Parse(text);
        uint check = BinaryPrimitives.ReadUInt32BigEndian(file.Encrypted);
        Assert.Equal(text, OpenSshPrivateKeyFormat.Write(key, null, "alice@example", "aes256-ctr", 16, null, check));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Reads_encrypted_keys_ssh_keygen_wrote_and_rewrites_them_byte_for_byte(string type, int bits)
    {
        using var keygen = new SshKeygen();
        var path = keygen.Generate("id", type, bits, passphrase: "correct horse", comment: "bob@example");
        var text = File.ReadAllText(path);
        Assert.True(OpenSshPrivateKeyFormat.IsEncrypted(text));
        using var key = OpenSshPrivateKeyFormat.Read(text, "correct horse");
        Assert.Equal(SshKeygen.PublicOf(path, "correct horse"), key.PublicKey.ToLine());
        Assert.Equal(key.PublicKey, OpenSshPrivateKeyFormat.ReadPublicKey(text));

        // Same salt, rounds and check word as ssh-keygen chose: the whole file must come out identical,
        // which proves bcrypt-pbkdf, AES-256-CTR, padding and the 70-column armor at once.
        var file = Parse(text);
        var salt = new SshReader(file.KdfOptions).ReadString().ToArray();
        Assert.Equal("aes256-ctr", file.Cipher);
        Assert.Equal(16, (int)BinaryPrimitives.ReadUInt32BigEndian(file.KdfOptions.AsSpan(4 + salt.Length)));
        var keyAndIv = new byte[48];
        BcryptPbkdf.DeriveKey("correct horse"u8, salt, 16, keyAndIv);
        using var aes = Aes.Create();
        aes.Key = keyAndIv[..32];
        var firstBlock = aes.EncryptEcb(keyAndIv[32..], PaddingMode.None);
        uint check = BinaryPrimitives.ReadUInt32BigEndian(firstBlock) ^ BinaryPrimitives.ReadUInt32BigEndian(file.Encrypted);
        Assert.Equal(text, OpenSshPrivateKeyFormat.Write(key, "correct horse", "bob@example", "aes256-ctr", 16, salt, check));
    }

    [Theory]
    [InlineData("aes256-gcm@openssh.com")]
    [InlineData("aes128-gcm@openssh.com")]
    [InlineData("chacha20-poly1305@openssh.com")]
    [InlineData("aes128-ctr")]
    [InlineData("aes192-ctr")]
    [InlineData("aes256-cbc")]
    [InlineData("aes128-cbc")]
    public void Reads_keys_ssh_keygen_encrypted_with_other_ciphers(string cipher)
    {
        using var keygen = new SshKeygen();
        var path = keygen.PathOf("id");
        var (code, _, err) = SshKeygen.Run("-q", "-t", "ed25519", "-f", path, "-N", "pw", "-Z", cipher, "-C", "c");
        Assert.True(code == 0, err);
        var text = File.ReadAllText(path);
        Assert.Equal(cipher, Parse(text).Cipher);
        using var key = OpenSshPrivateKeyFormat.Read(text, "pw");
        Assert.Equal(SshKeygen.PublicOf(path, "pw"), key.PublicKey.ToLine());
        var ex = Assert.Throws<SshWrongPassphraseException>(() => OpenSshPrivateKeyFormat.Read(text, "wrong"));
        Assert.True(ex.PassphraseGiven);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Keys_we_write_are_read_by_ssh_keygen(string type, int bits)
    {
        using var keygen = new SshKeygen();
        using var key = SshPrivateKey.Generate(type, bits);
        // The default cipher with ssh-keygen's 16 rounds; the others with fewer rounds, which ssh-keygen -a also allows, to keep the test quick.
        foreach (var (passphrase, cipher, rounds) in new[] { ("", "aes256-ctr", 16), ("s3cret phrase", "aes256-ctr", 16), ("pw2", "aes256-gcm@openssh.com", 2), ("pw3", "chacha20-poly1305@openssh.com", 2) })
        {
            var path = keygen.PathOf($"ours-{cipher}-{passphrase.Length}");
            File.WriteAllText(path, OpenSshPrivateKeyFormat.Write(key, passphrase, "carol@example", cipher, rounds));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Equal(key.PublicKey.ToLine(), SshKeygen.PublicOf(path, passphrase));
            // And back through our reader.
            using var again = OpenSshPrivateKeyFormat.Read(File.ReadAllText(path), passphrase);
            Assert.Equal(key.PublicKey, again.PublicKey);
            Assert.Equal("carol@example", again.Comment);
        }
    }

    [Fact]
    public void Encrypted_key_without_passphrase_or_with_a_wrong_one_is_refused()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        var text = OpenSshPrivateKeyFormat.Write(key, "right", "c", rounds: 2);
        var missing = Assert.Throws<SshWrongPassphraseException>(() => OpenSshPrivateKeyFormat.Read(text, null));
        Assert.False(missing.PassphraseGiven);
        Assert.Equal("incorrect passphrase supplied to decrypt private key", missing.Message);
        Assert.False(Assert.Throws<SshWrongPassphraseException>(() => OpenSshPrivateKeyFormat.Read(text, "")).PassphraseGiven);
        var wrong = Assert.Throws<SshWrongPassphraseException>(() => OpenSshPrivateKeyFormat.Read(text, "wrong"));
        Assert.True(wrong.PassphraseGiven);
        Assert.Equal("incorrect passphrase supplied to decrypt private key", wrong.Message);
    }

    [Fact]
    public void Unencrypted_key_ignores_a_passphrase()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        using var read = OpenSshPrivateKeyFormat.Read(OpenSshPrivateKeyFormat.Write(key, null, "c"), "anything");
        Assert.Equal(key.PublicKey, read.PublicKey);
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "no-begin", "invalid format: no -----BEGIN OPENSSH PRIVATE KEY----- line" },
        { "no-end", "invalid format: no -----END OPENSSH PRIVATE KEY----- line (file truncated?)" },
        { "bad-base64", "invalid format: bad base64 data" },
        { "bad-magic", "invalid format: not an openssh-key-v1 key (bad magic)" },
        { "truncated", "invalid format: private section truncated" },
        { "truncated-envelope", "invalid format: truncated (string length 4 exceeds the 3 bytes remaining)" },
        { "two-keys", "invalid format: 2 keys in one file (only 1 is supported)" },
        { "unknown-cipher", "key encrypted using unsupported cipher" },
        { "bad-length", "invalid format: private section of 36 bytes is not a whole number of 8-byte blocks" },
        { "trailing", "invalid format: 8 unexpected bytes after the private section" },
        { "bad-padding", "invalid format: wrong padding" },
        { "check-words", "invalid format: check words differ" },
        { "wrong-public", "invalid format: public key does not match the private key" },
        { "unknown-type", "unknown or unsupported key type" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupt_files_name_the_problem(string corruption, string message)
    {
        using var key = Ed25519PrivateKey.FromSeed(new byte[32]);
        using var other = Ed25519PrivateKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        string text = OpenSshPrivateKeyFormat.Write(key, null, "c", "aes256-ctr", 16, null, 0x01020304);
        var file = Parse(text);
        string corrupted = corruption switch
        {
            "no-begin" => text.Replace("-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN SOMETHING-----"),
            "no-end" => text[..text.IndexOf("-----END", StringComparison.Ordinal)],
            "bad-base64" => text.Insert(text.IndexOf('\n') + 5, "*"),
            "bad-magic" => Armor(Encoding.ASCII.GetBytes("openssh-key-v2\0").Concat(file.Raw.Skip(15)).ToArray()),
            "truncated" => Armor(file.Raw[..^20]),
            "truncated-envelope" => Armor(file.Raw[..(15 + 4 + 3)]),
            "two-keys" => Armor(file.With(keys: 2)),
            "unknown-cipher" => Armor(file.With(cipher: "3des-cbc", kdf: "bcrypt")),
            "bad-length" => Armor(file.With(encrypted: file.Encrypted[..36])),
            "trailing" => Armor([.. file.Raw, .. new byte[8]]),
            "bad-padding" => Armor(file.With(encrypted: WithLastByte(file.Encrypted, 0x07))),
            "check-words" => Armor(file.With(encrypted: [.. file.Encrypted[..7], 0xff, .. file.Encrypted[8..]])),
            "wrong-public" => Armor(file.With(publicBlob: other.PublicKey.Blob.ToArray())),
            "unknown-type" => Armor(file.With(publicBlob: [0, 0, 0, 7, .. "ssh-dss"u8, 0, 0, 0, 0])),
            _ => throw new ArgumentException(corruption),
        };
        var ex = Assert.Throws<SshKeyFormatException>(() => OpenSshPrivateKeyFormat.Read(corrupted, null));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Armor_wraps_at_70_columns_like_ssh_keygen()
    {
        using var key = SshPrivateKey.Generate("rsa", 2048);
        var lines = OpenSshPrivateKeyFormat.Write(key, null, "c").Split('\n');
        Assert.Equal("-----BEGIN OPENSSH PRIVATE KEY-----", lines[0]);
        Assert.Equal("-----END OPENSSH PRIVATE KEY-----", lines[^2]);
        Assert.Equal("", lines[^1]);
        Assert.All(lines[1..^3], l => Assert.Equal(70, l.Length));
        Assert.InRange(lines[^3].Length, 1, 70);
    }

    private static byte[] WithLastByte(byte[] data, byte value)
    {
        var copy = (byte[])data.Clone();
        copy[^1] = value;
        return copy;
    }

    private static string Armor(byte[] raw)
    {
        var b64 = Convert.ToBase64String(raw);
        var sb = new StringBuilder("-----BEGIN OPENSSH PRIVATE KEY-----\n");
        for (int i = 0; i < b64.Length; i += 70)
            sb.Append(b64.AsSpan(i, Math.Min(70, b64.Length - i))).Append('\n');
        return sb.Append("-----END OPENSSH PRIVATE KEY-----\n").ToString();
    }

    /// <summary>The fields of an openssh-key-v1 file, parsed independently of the code under test.</summary>
    private sealed record KeyFile(byte[] Raw, string Cipher, string Kdf, byte[] KdfOptions, uint Keys, byte[] PublicBlob, byte[] Encrypted)
    {
        public byte[] With(string? cipher = null, string? kdf = null, uint? keys = null, byte[]? publicBlob = null, byte[]? encrypted = null)
        {
            using var w = new SshWriter();
            w.WriteRaw("openssh-key-v1\0"u8).WriteString(cipher ?? Cipher).WriteString(kdf ?? Kdf).WriteString(KdfOptions)
                .WriteUInt32(keys ?? Keys).WriteString(publicBlob ?? PublicBlob).WriteString(encrypted ?? Encrypted);
            return w.ToArray();
        }
    }

    private static KeyFile Parse(string text)
    {
        var lines = text.Split('\n');
        var raw = Convert.FromBase64String(string.Concat(lines[1..^2]));
        var r = new SshReader(raw.AsSpan(15));
        var cipher = Encoding.ASCII.GetString(r.ReadString());
        var kdf = Encoding.ASCII.GetString(r.ReadString());
        var options = r.ReadString().ToArray();
        uint keys = r.ReadUInt32();
        var blob = r.ReadString().ToArray();
        var encrypted = r.ReadString().ToArray();
        return new KeyFile(raw, cipher, kdf, options, keys, blob, encrypted);
    }
}
