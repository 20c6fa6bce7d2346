namespace Lucid.Ssh.Keys;

/// <summary>
/// A signer offered with its certificate: the peer sees <see cref="PublicKey"/> (the certificate, negotiated as
/// ssh-ed25519-cert-v01@openssh.com, rsa-sha2-512-cert-v01@openssh.com, ...), and the signature is the plain
/// key's, made by the wrapped signer with the plain algorithm (PROTOCOL.certkeys).
/// </summary>
public sealed class SshCertifiedSigner : ISshSigner
{
    private readonly ISshSigner _key;

    /// <summary>Pairs <paramref name="key"/> with a certificate of its public key.</summary>
    public SshCertifiedSigner(ISshSigner key, SshCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.Key.Equals(key.PublicKey))
            throw new ArgumentException("the certificate does not certify this key", nameof(certificate));
        _key = key;
        Certificate = certificate;
    }

    /// <summary>The certificate presented for the key.</summary>
    public SshCertificate Certificate { get; }

    /// <inheritdoc/>
    public SshPublicKey PublicKey => Certificate;

    /// <summary>Signs with the plain key; a certificate algorithm name is taken as its plain signature algorithm.</summary>
    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string signatureAlgorithm, CancellationToken cancellationToken = default) =>
        _key.SignAsync(data, SshCertificate.PlainSignatureAlgorithmOf(signatureAlgorithm), cancellationToken);
}
