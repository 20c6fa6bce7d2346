using System.Text;
using Lucid.Ssh;
using Lucid.Ssh.Keys;

namespace Lucid.Fuzz.Tests.Regressions;

/// <summary>Inputs the fuzzer found that made a key parser throw something other than its typed error.</summary>
public sealed class KeyParserRegressionTests
{
    /// <summary>
    /// public-key-text: a SubjectPublicKeyInfo naming an EC curve OpenSSL does not know escaped as
    /// PlatformNotSupportedException from ECDsa.ImportSubjectPublicKeyInfo.
    /// </summary>
    [Fact]
    public void PemPublicKeyOnAnUnknownCurveIsAKeyFormatError()
    {
        const string pem = "-----BEGIN PUBLIC KEY-----\n" +
            "MFkwEwYHKoZIzj0CAQYIKoZIzjmDAQcDQgAEX9wkUueIeklSLjdeSgWKxEejB8Ux\n" +
            "w2Fs2e6SCNcd5IsNB8CRbnt+03jYXNi9k//ejd2GLKE4GfTseS6gw9I1mQ==\n" +
            "-----END PUBLIC KEY-----\n";
        var e = Assert.Throws<SshKeyFormatException>(() => PublicKeyPemFormat.Read(pem));
        Assert.Equal("unsupported elliptic curve in the PUBLIC KEY block", e.Message);
    }

    /// <summary>
    /// sshsig: a header whose trailing dashes start the footer ("-----BEGIN SSH SIGNATURE-----END SSH SIGNATURE-----")
    /// put the footer before the end of the header and threw ArgumentOutOfRangeException slicing between them.
    /// </summary>
    [Fact]
    public void SshSigFooterOverlappingTheHeaderIsAParseError()
    {
        const string armored = "-----BEGIN SSH SIGNATURE-----END SSH SIGNATURE-----\n";
        var e = Assert.Throws<SshException>(() => SshSignature.Verify(armored, "data"u8, "file"));
        Assert.Equal("Couldn't parse signature: missing footer", e.Message);
    }

    [Fact]
    public void SshSigFuzzerInputIsRefusedWithATypedError()
    {
        var input = File.ReadAllBytes(Path.Combine(FuzzCorpus.Root, "..", "regressions", "sshsig-footer-overlaps-header"));
        Assert.Null(FuzzRun.RunOne(FuzzTargets.Find("sshsig"), input));
        Assert.Throws<SshException>(() => SshSignature.Verify(Encoding.UTF8.GetString(input), "data"u8, "file"));
    }
}
