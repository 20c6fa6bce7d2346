namespace Lucid.Ssh.Keys;

/// <summary>
/// Whatever can sign for a public key: a key file loaded into memory (<see cref="SshPrivateKey"/> is one), an
/// agent's key, a forwarded agent's key, a CA key held in an agent, a hardware token. Client authentication,
/// server host keys and SSHSIG signatures take signers, so each of these plugs in without the private key.
/// </summary>
public interface ISshSigner
{
    /// <summary>The public half: what the peer or verifier sees and checks the signature with.</summary>
    SshPublicKey PublicKey { get; }

    /// <summary>
    /// Signs <paramref name="data"/> and returns the SSH signature blob (string algorithm, string signature).
    /// <paramref name="signatureAlgorithm"/> is one of <see cref="SshPublicKey.SignatureAlgorithms"/>
    /// (rsa-sha2-512 or rsa-sha2-256 for RSA); a signer that cannot sign with it throws <see cref="SshException"/>.
    /// </summary>
    ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, string signatureAlgorithm, CancellationToken cancellationToken = default);
}
