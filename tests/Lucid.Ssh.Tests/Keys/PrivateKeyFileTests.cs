using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Tests.Keys;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateKeyFileTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static TheoryData<string, int, string?, string> SshKeygenMatrix()
    {
        var data = new TheoryData<string, int, string?, string>();
        foreach (var (type, bits) in new[] { ("ed25519", 0), ("ecdsa", 256), ("ecdsa", 384), ("ecdsa", 521), ("rsa", 1024) })
        {
            foreach (var format in new string?[] { null, "PEM", "PKCS8" })
            {
                // ssh-keygen ignores -m for Ed25519 and writes its own format, already covered by the null row.
                if (type == "ed25519" && format is not null)
                    continue;
                data.Add(type, bits, format, "");
                data.Add(type, bits, format, "secret words");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SshKeygenMatrix))]
    public void Loads_every_key_ssh_keygen_writes(string type, int bits, string? format, string passphrase)
    {
        using var keygen = new SshKeygen();
        var path = keygen.Generate("id", type, bits, passphrase, format);
        var text = File.ReadAllText(path);
        Assert.Equal(passphrase.Length > 0, PrivateKeyFile.IsEncrypted(text));
        using var key = PrivateKeyFile.Load(path, passphrase);
        Assert.Equal(SshKeygen.PublicOf(path, passphrase), key.PublicKey.ToLine());
        if (passphrase.Length > 0)
        {
            Assert.False(Assert.Throws<SshWrongPassphraseException>(() => PrivateKeyFile.Load(path)).PassphraseGiven);
            Assert.True(Assert.Throws<SshWrongPassphraseException>(() => PrivateKeyFile.Load(path, "not it")).PassphraseGiven);
        }
    }

    public static TheoryData<string, int, PrivateKeyFormat, string> OurMatrix()
    {
        var data = new TheoryData<string, int, PrivateKeyFormat, string>();
        foreach (var (type, bits) in new[] { ("ed25519", 0), ("ecdsa", 256), ("ecdsa", 384), ("ecdsa", 521), ("rsa", 2048) })
        {
            foreach (var format in new[] { PrivateKeyFormat.OpenSsh, PrivateKeyFormat.Pem, PrivateKeyFormat.Pkcs8 })
            {
                data.Add(type, bits, format, "");
                data.Add(type, bits, format, "secret words");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OurMatrix))]
    public void Ssh_keygen_reads_every_key_we_save(string type, int bits, PrivateKeyFormat format, string passphrase)
    {
        using var keygen = new SshKeygen();
        using var key = SshPrivateKey.Generate(type, bits);
        var path = keygen.PathOf("ours");
        PrivateKeyFile.Save(path, key, format, passphrase, "dave@example");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(key.PublicKey.ToLine(), SshKeygen.PublicOf(path, passphrase));
        using var again = PrivateKeyFile.Load(path, passphrase);
        Assert.Equal(key.PublicKey, again.PublicKey);
        var text = File.ReadAllText(path);
        var expectedFormat = type == "ed25519" ? PrivateKeyFormat.OpenSsh : format;
        Assert.Equal(expectedFormat, PrivateKeyFile.DetectFormat(text));
        Assert.Equal(passphrase.Length > 0, PrivateKeyFile.IsEncrypted(text));
    }

    [Fact]
    public void Pem_writers_use_the_headers_ssh_keygen_uses()
    {
        using var rsa = SshPrivateKey.Generate("rsa", 2048);
        using var ec = SshPrivateKey.Generate("ecdsa", 256);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,",
            PrivateKeyFile.Format(rsa, PrivateKeyFormat.Pem, "secret"));
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----\nMH", PrivateKeyFile.Format(ec, PrivateKeyFormat.Pem));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", PrivateKeyFile.Format(ec, PrivateKeyFormat.Pkcs8));
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", PrivateKeyFile.Format(ec, PrivateKeyFormat.Pkcs8, "secret"));
        Assert.EndsWith("-----END ENCRYPTED PRIVATE KEY-----\n", PrivateKeyFile.Format(ec, PrivateKeyFormat.Pkcs8, "secret"));
    }

    [Fact]
    public void Save_replaces_an_open_file_with_a_0600_one()
    {
        using var keygen = new SshKeygen();
        var path = keygen.PathOf("k");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, (UnixFileMode)0x1a4); // 0644
        using var key = SshPrivateKey.Generate("ed25519");
        PrivateKeyFile.Save(path, key, comment: "c");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(keygen.Directory));
    }

    [Fact]
    public void A_key_others_can_read_is_refused_with_openssh_warning()
    {
        using var keygen = new SshKeygen();
        var path = keygen.Generate("id", "ed25519");
        File.SetUnixFileMode(path, (UnixFileMode)0x1a4); // 0644
        var ex = Assert.Throws<SshKeyPermissionException>(() => PrivateKeyFile.Load(path));
        Assert.Equal("bad permissions", ex.Message);
        Assert.Equal(0x1a4, ex.Mode);
        Assert.Equal($"Permissions 0644 for '{path}' are too open.", ex.WarningLines[3]);

        // ssh-keygen prints the same block, line for line.
        var (code, _, stderr) = SshKeygen.Run("-y", "-P", "", "-f", path);
        Assert.NotEqual(0, code);
        // OpenSSH's log() ends stderr lines with "\r\n"; the words are what must match.
        var opensshLines = stderr.Replace("\r", "").Split('\n').Take(6).ToArray();
        Assert.Equal(opensshLines, ex.WarningLines.ToArray());
        Assert.Equal(string.Concat(opensshLines.Select(l => l + "\n")), ex.Warning);

        // Group-only access is just as bad; 0400 is fine.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        Assert.Equal("Permissions 0440 for '" + path + "' are too open.",
            Assert.Throws<SshKeyPermissionException>(() => PrivateKeyFile.Load(path)).WarningLines[3]);
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        using var key = PrivateKeyFile.Load(path);
        File.SetUnixFileMode(path, (UnixFileMode)0x1a4);
        using var unchecked_ = PrivateKeyFile.Load(path, checkPermissions: false);
        Assert.Equal(key.PublicKey, unchecked_.PublicKey);
    }

    [Theory]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIB!!!\n-----END RSA PRIVATE KEY-----\n", "invalid format: bad base64 data")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n", "invalid format: no -----END RSA PRIVATE KEY----- line (file truncated?)")]
    [InlineData("-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n", "invalid format: malformed EC PRIVATE KEY")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n", "invalid format: malformed PRIVATE KEY")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: BF-CBC,0011223344556677\n\nAAAAAAAAAAA=\n-----END RSA PRIVATE KEY-----\n", "key encrypted using unsupported cipher")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuGYr5ZbZVqa5Vja0Vw0x0Y5V3hzo4BrdwJo6n0Rk5h c\n", "invalid format")]
    [InlineData("", "invalid format")]
    public void Corrupt_files_name_the_file_and_the_problem(string contents, string problem)
    {
        using var keygen = new SshKeygen();
        var path = keygen.PathOf("bad");
        File.WriteAllText(path, contents);
        File.SetUnixFileMode(path, OwnerOnly);
        var ex = Assert.Throws<SshKeyFormatException>(() => PrivateKeyFile.Load(path, "pw"));
        Assert.Equal(problem, ex.Problem);
        Assert.Equal(path, ex.FileName);
        Assert.Equal($"{path}: {problem}", ex.Message);
    }

    [Fact]
    public void The_public_key_of_an_encrypted_openssh_key_is_readable_without_the_passphrase()
    {
        using var key = SshPrivateKey.Generate("ecdsa");
        var text = PrivateKeyFile.Format(key, PrivateKeyFormat.OpenSsh, "pw", "c", rounds: 1);
        Assert.Equal(key.PublicKey, PrivateKeyFile.ReadPublicKeyWithoutPassphrase(text));
        Assert.Null(PrivateKeyFile.ReadPublicKeyWithoutPassphrase(PrivateKeyFile.Format(key, PrivateKeyFormat.Pem, "pw")));
    }

    [Fact]
    public void Pkcs8_ed25519_keys_as_openssl_writes_them_are_read()
    {
        // RFC 8410 section 10.3's example private key.
        const string pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
        using var key = PrivateKeyFile.Parse(pem);
        Assert.Equal("ssh-ed25519", key.KeyType);
        Assert.Equal("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1",
            Convert.ToHexStringLower(((Ed25519PublicKey)key.PublicKey).Key.Span));
    }
}
