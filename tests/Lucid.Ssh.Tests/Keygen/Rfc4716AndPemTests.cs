using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Tests.Keygen;

public sealed class Rfc4716AndPemTests
{
    // ssh-keygen -e -f r.pub (OpenSSH 9.2), a 1024-bit RSA key: 70-character body lines.
    private const string RsaRfc4716 = """
        ---- BEGIN SSH2 PUBLIC KEY ----
        Comment: "1024-bit RSA, converted by root@vm from OpenSSH"
        AAAAB3NzaC1yc2EAAAADAQABAAAAgQCmWB02+E3/Z/sx2jatGamXSK4NauApeiS7j1JKu+
        RYl+v3BF7SxwYfgrdu63SCXmNG4UBCxdzKpboW3JJwAJckc99LZNcEOLqt1SrSeuyn5kk1
        enksU/Ff9EqWAQrJPcd9tTwbSaZVhNCgAN0mothIF3HDz/GHr/GpJSMdmy/VGQ==
        ---- END SSH2 PUBLIC KEY ----

        """;
    private const string RsaBase64 = "AAAAB3NzaC1yc2EAAAADAQABAAAAgQCmWB02+E3/Z/sx2jatGamXSK4NauApeiS7j1JKu+RYl+v3BF7SxwYfgrdu63SCXmNG4UBCxdzKpboW3JJwAJckc99LZNcEOLqt1SrSeuyn5kk1enksU/Ff9EqWAQrJPcd9tTwbSaZVhNCgAN0mothIF3HDz/GHr/GpJSMdmy/VGQ==";

    // ssh-keygen -e -m PEM / -m PKCS8 of the same key.
    private const string RsaPkcs1 = """
        -----BEGIN RSA PUBLIC KEY-----
        MIGJAoGBAKZYHTb4Tf9n+zHaNq0ZqZdIrg1q4Cl6JLuPUkq75FiX6/cEXtLHBh+C
        t27rdIJeY0bhQELF3MqluhbcknAAlyRz30tk1wQ4uq3VKtJ67KfmSTV6eSxT8V/0
        SpYBCsk9x321PBtJplWE0KAA3Sai2EgXccPP8Yev8aklIx2bL9UZAgMBAAE=
        -----END RSA PUBLIC KEY-----

        """;
    private const string RsaSpki = """
        -----BEGIN PUBLIC KEY-----
        MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCmWB02+E3/Z/sx2jatGamXSK4N
        auApeiS7j1JKu+RYl+v3BF7SxwYfgrdu63SCXmNG4UBCxdzKpboW3JJwAJckc99L
        ZNcEOLqt1SrSeuyn5kk1enksU/Ff9EqWAQrJPcd9tTwbSaZVhNCgAN0mothIF3HD
        z/GHr/GpJSMdmy/VGQIDAQAB
        -----END PUBLIC KEY-----

        """;
    private const string EcSpki = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEoEdGy76xIKr8WaDtwYov46k3y8hGH5zF
        IgNceplaFl/sdqirZDK2+NxaQiK4k335SlzvZXnAL6ofduFIa01SGkZCa5BN+xKp
        d7ILtczRzX9jLdtqcCW5K93W+JIXQl3M
        -----END PUBLIC KEY-----

        """;

    [Fact]
    public void Writes_rfc4716_exactly_as_ssh_keygen() =>
        Assert.Equal(RsaRfc4716, Rfc4716Format.Write(Convert.FromBase64String(RsaBase64), "1024-bit RSA, converted by root@vm from OpenSSH"));

    [Fact]
    public void Reads_rfc4716_with_its_comment()
    {
        var doc = Rfc4716Format.Read(RsaRfc4716);
        Assert.Equal(RsaBase64, Convert.ToBase64String(doc.Blob));
        Assert.Equal("1024-bit RSA, converted by root@vm from OpenSSH", doc.Comment);
    }

    [Fact]
    public void Reads_continued_headers_and_crlf_line_ends()
    {
        string text = "---- BEGIN SSH2 PUBLIC KEY ----\r\nSubject: me\r\nComment: \"a long comment that \\\r\ngoes on\"\r\nx-private: 1\r\n"
            + RsaBase64 + "\r\n---- END SSH2 PUBLIC KEY ----\r\n";
        var doc = Rfc4716Format.Read(text);
        Assert.Equal("a long comment that goes on", doc.Comment);
        Assert.Equal(["Subject", "Comment", "x-private"], doc.Headers.Select(h => h.Key));
        Assert.Equal(RsaBase64, Convert.ToBase64String(doc.Blob));
    }

    [Fact]
    public void Long_headers_are_wrapped_at_72_bytes_and_read_back()
    {
        string comment = new('c', 150);
        string text = Rfc4716Format.Write(Convert.FromBase64String(RsaBase64), comment);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 72, line));
        Assert.Equal(comment, Rfc4716Format.Read(text).Comment);
    }

    [Theory]
    [InlineData("ssh-rsa AAAA", "not an RFC 4716 public key: missing \"---- BEGIN SSH2 PUBLIC KEY ----\"", 1)]
    [InlineData("---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3Nza", "invalid base64 key data (bad length or padding)", 2)]
    [InlineData("---- BEGIN SSH2 PUBLIC KEY ----\nAAAA!B3Nza\n---- END SSH2 PUBLIC KEY ----\n", "invalid base64 character '!'", 2)]
    [InlineData("---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3Nza\n---- END SSH2 PUBLIC KEY ----\n", "invalid base64 key data (bad length or padding)", 2)]
    [InlineData("---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3Nz=a==\n---- END SSH2 PUBLIC KEY ----\n", "invalid base64 key data (bad length or padding)", 2)]
    [InlineData("---- BEGIN SSH2 PUBLIC KEY ----\n---- END SSH2 PUBLIC KEY ----\n", "no key data", 2)]
    public void Malformed_rfc4716_names_the_problem_and_line(string text, string problem, int line)
    {
        var ex = Assert.Throws<SshKeyFormatException>(() => Rfc4716Format.Read(text));
        Assert.Equal(problem, ex.Problem);
        Assert.Equal(line, ex.Line);
        Assert.Equal($"k.pub line {line}: {problem}", ex.At("k.pub").Message);
    }

    [Fact]
    public void Writes_pkcs1_and_spki_exactly_as_ssh_keygen()
    {
        var blob = Convert.FromBase64String(RsaBase64);
        Assert.Equal(RsaPkcs1, PublicKeyPemFormat.WritePem(blob));
        Assert.Equal(RsaSpki, PublicKeyPemFormat.WritePkcs8(blob));
        var ec = Convert.FromBase64String(FingerprintAndRandomArtTests.Ecdsa384Base64);
        Assert.Equal(EcSpki, PublicKeyPemFormat.WritePkcs8(ec));
        Assert.Equal(EcSpki, PublicKeyPemFormat.WritePem(ec));
    }

    [Theory]
    [InlineData(RsaPkcs1, RsaBase64)]
    [InlineData(RsaSpki, RsaBase64)]
    [InlineData(EcSpki, FingerprintAndRandomArtTests.Ecdsa384Base64)]
    public void Reads_pem_public_keys_back_to_the_same_blob(string pem, string blob) =>
        Assert.Equal(blob, Convert.ToBase64String(PublicKeyPemFormat.Read(pem)));

    [Fact]
    public void Ed25519_round_trips_through_spki()
    {
        var blob = Convert.FromBase64String(FingerprintAndRandomArtTests.Ed25519Base64);
        string pem = PublicKeyPemFormat.WritePkcs8(blob);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA", pem, StringComparison.Ordinal);
        Assert.Equal(blob, PublicKeyPemFormat.Read(pem));
    }

    [Fact]
    public void Ed25519_has_no_pkcs1_form()
    {
        var ex = Assert.Throws<SshKeyFormatException>(() => PublicKeyPemFormat.WritePem(Convert.FromBase64String(FingerprintAndRandomArtTests.Ed25519Base64)));
        Assert.Equal("unsupported key type ED25519", ex.Message);
    }

    [Theory]
    [InlineData("hello", "no PEM \"-----BEGIN PUBLIC KEY-----\" block found")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ==\n-----END PUBLIC KEY-----\n", "invalid PUBLIC KEY structure")]
    [InlineData("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "\"EC PRIVATE KEY\" is a private key; expected a public key")]
    public void Malformed_pem_is_explained(string text, string message) =>
        Assert.Equal(message, Assert.Throws<SshKeyFormatException>(() => PublicKeyPemFormat.Read(text)).Message);
}
