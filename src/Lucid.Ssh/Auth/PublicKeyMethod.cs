using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;
using Microsoft.Extensions.Logging;
using Outcome = Lucid.Ssh.Auth.ClientAuthenticator.Outcome;

namespace Lucid.Ssh.Auth;

/// <summary>
/// publickey (RFC 4252 section 7): each key is first offered without a signature; only on PK_OK is the
/// session-id-prefixed request signed, so a passphrase prompt or agent signature is spent only on keys
/// the server would accept.
/// </summary>
internal sealed partial class PublicKeyMethod(ClientAuthenticator auth, IReadOnlyList<ClientIdentity> identities)
{
    private int _next;

    public async Task<Outcome> TryAsync(CancellationToken cancellationToken)
    {
        while (_next < identities.Count)
        {
            var identity = identities[_next++];
            var publicKey = identity.PublicKey;
            var blob = publicKey.Blob;
            string? algorithm = ChooseSignatureAlgorithm(publicKey);
            if (algorithm is null)
            {
                LogSkipped(auth.Logger, publicKey.KeyType);
                continue;
            }
            LogOffering(auth.Logger, algorithm, Fingerprint(publicKey), identity.Description);

            using (var query = auth.BeginRequest("publickey"))
            {
                query.WriteBoolean(false).WriteString(algorithm).WriteString(blob.Span);
                await auth.SendAsync(query, cancellationToken).ConfigureAwait(false);
            }
            var answer = await auth.ReadOutcomeAsync(cancellationToken, (packet, _) =>
            {
                if (packet.Type != MessageNumber.UserAuthMethod60)
                    throw new SshProtocolException($"unexpected message type {(byte)packet.Type} in publickey authentication");
                var reader = packet.Reader();
                string okAlgorithm = Encoding.ASCII.GetString(reader.ReadString());
                var okBlob = reader.ReadString();
                if (okAlgorithm != algorithm || !okBlob.SequenceEqual(blob.Span))
                    throw new SshProtocolException("server accepted a key we did not offer (SSH_MSG_USERAUTH_PK_OK mismatch)");
                return Task.FromResult<Outcome?>(Outcome.MethodReply);
            }).ConfigureAwait(false);
            if (answer is Outcome.Success or Outcome.PartialSuccess)
                return answer;
            if (answer != Outcome.MethodReply)
                continue;

            LogAccepted(auth.Logger, algorithm, Fingerprint(publicKey));
            var signer = await identity.GetSignerAsync(cancellationToken).ConfigureAwait(false);
            if (signer is null)
                continue;
            using (var signed = auth.BeginRequest("publickey"))
            {
                signed.WriteBoolean(true).WriteString(algorithm).WriteString(blob.Span);
                byte[] signature = await signer.SignAsync(SignedData(signed.WrittenSpan), algorithm, cancellationToken).ConfigureAwait(false);
                signed.WriteString(signature);
                await auth.SendAsync(signed, cancellationToken).ConfigureAwait(false);
            }
            var outcome = await auth.ReadOutcomeAsync(cancellationToken).ConfigureAwait(false);
            if (outcome is Outcome.Success or Outcome.PartialSuccess)
                return outcome;
        }
        return Outcome.Exhausted;
    }

    /// <summary>RFC 4252 section 7: string session_id followed by the request itself up to the signature.</summary>
    private byte[] SignedData(ReadOnlySpan<byte> request)
    {
        using var data = new SshWriter(auth.SessionId.Length + request.Length + 8);
        data.WriteString(auth.SessionId.Span).WriteRaw(request);
        return data.ToArray();
    }

    /// <summary>
    /// The key's first signature algorithm we accept. For RSA the server's server-sig-algs decides between
    /// rsa-sha2-512 and rsa-sha2-256 (a server that lists neither would only take SHA-1 ssh-rsa).
    /// </summary>
    private string? ChooseSignatureAlgorithm(SshPublicKey key)
    {
        // A certificate is offered under its certificate algorithm, chosen as for its plain key.
        if (key is SshCertificate certificate)
            return ChooseCertificateAlgorithm(certificate);
        var accepted = auth.Options.PubkeyAcceptedAlgorithms;
        var candidates = key.SignatureAlgorithms
            .Where(a => accepted is null ? a != "ssh-rsa" : accepted.Contains(a))
            .ToList();
        if (candidates.Count == 0)
            return null;
        if (key.KeyType != "ssh-rsa")
            return candidates[0];
        var serverAlgorithms = auth.ServerSignatureAlgorithms;
        if (serverAlgorithms is null)
            return candidates[0];
        return candidates.FirstOrDefault(serverAlgorithms.Contains);
    }

    private string? ChooseCertificateAlgorithm(SshCertificate certificate)
    {
        var accepted = auth.Options.PubkeyAcceptedAlgorithms;
        var candidates = certificate.HostKeyAlgorithms
            .Where(a => accepted is null ? SshCertificate.PlainSignatureAlgorithmOf(a) != "ssh-rsa" : accepted.Contains(a))
            .ToList();
        if (candidates.Count == 0)
            return null;
        if (certificate.Key.KeyType != "ssh-rsa" || auth.ServerSignatureAlgorithms is not { } serverAlgorithms)
            return candidates[0];
        return candidates.FirstOrDefault(a => serverAlgorithms.Contains(SshCertificate.PlainSignatureAlgorithmOf(a)));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Offering public key: {Algorithm} {Fingerprint} {Comment}")]
    private static partial void LogOffering(ILogger logger, string algorithm, string fingerprint, string comment);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Server accepts key: {Algorithm} {Fingerprint}")]
    private static partial void LogAccepted(ILogger logger, string algorithm, string fingerprint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipping {KeyType} key: no mutually acceptable signature algorithm")]
    private static partial void LogSkipped(ILogger logger, string keyType);

    private static string Fingerprint(SshPublicKey key) =>
        "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(key.Blob.Span)).TrimEnd('=');
}
