using System.Diagnostics;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Keys;

/// <summary>
/// RSA signatures checked against an independent implementation: the openssl command signs with the key
/// ssh-keygen wrote, and our verifier (including legacy ssh-rsa SHA-1, which Lucid never makes unasked) accepts it.
/// </summary>
public sealed class RsaOpenSslCrossCheckTests
{
    [Theory]
    [InlineData("ssh-rsa", "-sha1")]
    [InlineData("rsa-sha2-256", "-sha256")]
    [InlineData("rsa-sha2-512", "-sha512")]
    public void Signatures_made_by_openssl_verify(string algorithm, string digest)
    {
        using var keygen = new SshKeygen();
        var keyPath = keygen.Generate("id", "rsa", 2048, format: "PEM");
        var dataPath = keygen.PathOf("data");
        File.WriteAllText(dataPath, "exchange hash stand-in");
        var sigPath = keygen.PathOf("sig");
        var psi = new ProcessStartInfo("openssl") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "dgst", digest, "-sign", keyPath, "-out", sigPath, dataPath })
            psi.ArgumentList.Add(a);
        using (var process = Process.Start(psi)!)
        {
            var err = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, err);
        }
        using var writer = new SshWriter();
        writer.WriteString(algorithm).WriteString(File.ReadAllBytes(sigPath));
        var publicKey = SshPublicKey.ParseLine(File.ReadAllText(keyPath + ".pub"));
        var data = File.ReadAllBytes(dataPath);
        Assert.True(publicKey.Verify(data, writer.WrittenSpan));
        Assert.True(publicKey.Verify(data, writer.WrittenSpan, algorithm));
        Assert.False(publicKey.Verify("other"u8, writer.WrittenSpan));

        // Our own signature of the same data with the same algorithm is identical: PKCS#1 v1.5 is deterministic.
        using var key = PrivateKeyFile.Load(keyPath);
        Assert.Equal(writer.ToArray(), key.Sign(data, algorithm));
    }
}
