using System.Text;
using Lucid.Ssh;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Fuzz.Targets;

/// <summary>Public keys, signatures, certificates, private key files and SSHSIG: the Keys/ parsers.</summary>
internal static class KeyTargets
{
    private static readonly byte[] SignedData = Encoding.ASCII.GetBytes("data signed in the fuzz corpus");

    /// <summary>A public key blob as it arrives in KEX replies, publickey requests and agent messages.</summary>
    public static void PublicKeyBlob(byte[] data)
    {
        var key = SshPublicKey.FromBlob(data);
        Use(key);
    }

    /// <summary>The text forms of a public key: a .pub / authorized_keys line, RFC 4716 and PEM/PKCS#8 (ssh-keygen -i).</summary>
    public static void PublicKeyText(byte[] data)
    {
        var text = FuzzInput.Text(data);
        Try(() => Use(SshPublicKey.ParseLine(text, out _)));
        Try(() => Use(SshPublicKey.FromBlob(Rfc4716Format.Read(text).Blob)));
        Try(() => Use(SshPublicKey.FromBlob(PublicKeyPemFormat.Read(text))));
    }

    /// <summary>
    /// A signature checked against a key: two SSH strings, the key blob then the signature blob (as in a publickey
    /// request or KEX reply). The data signed is fixed; the corpus holds real OpenSSH signatures over it.
    /// </summary>
    public static void Signature(byte[] data)
    {
        var reader = new SshReader(data);
        var keyBlob = reader.ReadString();
        var signature = reader.ReadString();
        SshPublicKey.SignatureAlgorithmOf(signature);
        var key = SshPublicKey.FromBlob(keyBlob);
        key.Verify(SignedData, signature);
        foreach (var algorithm in key.SignatureAlgorithms)
            key.Verify(SignedData, signature, algorithm);
    }

    /// <summary>A certificate blob: parsed, its CA signature and fields examined as ssh and sshd do.</summary>
    public static void Certificate(byte[] data)
    {
        var key = SshPublicKey.FromBlob(data);
        Use(key);
        if (key is SshCertificate certificate)
        {
            SshCertificateValidation.CheckHost(certificate, "host.example", DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
            SshCertificateValidation.FormatValidity(certificate);
            certificate.IsValidAt(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
            KeyFingerprint.Format(certificate.SignatureKey);
            // sshd's side: the user checks and the critical options / extensions as its policy reads them.
            SshCertificateValidation.CheckUser(certificate, "alice", DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
            if (Lucid.Ssh.OpenSsh.AuthorizedKeysOptions.FromCertificate(certificate, out _) is { } options && options.SourceAddress is { } allowed)
                Lucid.Ssh.OpenSsh.CidrList.Match("192.0.2.1", allowed);
            foreach (var option in certificate.CriticalOptionList.Concat(certificate.ExtensionList))
                _ = option.Value;
        }
    }

    /// <summary>
    /// A private key file in any format the product reads (openssh-key-v1, PEM, PKCS#8), without a passphrase: the
    /// public part of an encrypted key, the refusal of an encrypted one, the whole key of a plain one. (Decryption
    /// itself is not fuzzed: its cost is the file's bcrypt rounds or PBKDF2 iterations, by design.)
    /// </summary>
    public static void PrivateKeyFile(byte[] data)
    {
        var text = FuzzInput.Text(data);
        Lucid.Ssh.Keys.PrivateKeyFile.DetectFormat(text);
        Try(() =>
        {
            if (Lucid.Ssh.Keys.PrivateKeyFile.ReadPublicKeyWithoutPassphrase(text) is { } publicKey)
                Use(publicKey);
        });
        if (Lucid.Ssh.Keys.PrivateKeyFile.IsEncrypted(text))
            return;
        using var key = Lucid.Ssh.Keys.PrivateKeyFile.Parse(text);
        Use(key.PublicKey);
        key.Sign(SignedData);
    }

    /// <summary>An armored SSHSIG (ssh-keygen -Y sign) verified over the fixed data in the "file" namespace.</summary>
    public static void SshSig(byte[] data)
    {
        var text = FuzzInput.Text(data);
        SshSignature.Verify(text, SignedData, "file");
    }

    /// <summary>The data the corpus' signatures sign (the recorder writes it to a file for ssh-keygen -Y sign).</summary>
    public static ReadOnlySpan<byte> DataToSign => SignedData;

    /// <summary>What the product does with a parsed key: fingerprints, the .pub line, the blob again.</summary>
    private static void Use(SshPublicKey key)
    {
        KeyFingerprint.Format(key);
        key.ToLine("comment");
        _ = key.SizeInBits;
        _ = SshPublicKey.FromBlob(key.Blob.Span);
    }

    /// <summary>Runs one of several independent readers over the same input: a typed refusal by one must not hide the others.</summary>
    internal static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (SshException)
        {
        }
    }
}
