using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Auth;

/// <summary>The individual methods of <see cref="ServerAuthenticator"/>.</summary>
internal sealed partial class ServerAuthenticator
{
    // Keys that already passed a publickey step: "publickey,publickey" must mean two different keys
    // (OpenSSH's auth2_key_already_used), or a second factor is the first one again.
    private readonly List<SshPublicKey> _usedKeys = [];

    private async Task<(AttemptResult, string, string)> PublicKeyAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        bool hasSignature;
        string algorithm;
        byte[] blob;
        byte[]? signature = null;
        int signedLength;
        {
            var reader = request.MethodReader();
            hasSignature = reader.ReadBoolean();
            algorithm = Encoding.ASCII.GetString(reader.ReadString());
            blob = reader.ReadString().ToArray();
            signedLength = request.MethodDataOffset + reader.Position;
            if (hasSignature)
                signature = reader.ReadString().ToArray();
        }

        SshPublicKey key;
        try
        {
            key = SshPublicKey.FromBlob(blob);
        }
        catch (SshKeyFormatException e)
        {
            SshServerLog.Error(_log, $"userauth_pubkey: parse key: {e.Message} [preauth]");
            return (AttemptResult.Failure, "publickey", "");
        }
        var detail = $": {Fingerprint(key)}";
        if (_usedKeys.Exists(used => used.Equals(key)))
        {
            SshServerLog.Info(_log, $"refusing previously-used {KeyFingerprint.TypeLabel(key.KeyType)} key");
            return (AttemptResult.Failure, "publickey", detail);
        }
        if (KeyAlgorithms.KeyTypeOfSignatureAlgorithm(algorithm) != key.KeyType)
        {
            SshServerLog.Error(_log, $"userauth_pubkey: type mismatch for decoded key (received {KeyFingerprint.TypeLabel(key.KeyType)}, expected {algorithm}) [preauth]");
            return (AttemptResult.Failure, "publickey", detail);
        }
        if (!_config.PubkeyAcceptedAlgorithms.Contains(algorithm))
        {
            SshServerLog.VerboseMessage(_log, $"userauth_pubkey: signature algorithm {algorithm} not in PubkeyAcceptedAlgorithms [preauth]");
            return (AttemptResult.Failure, "publickey", detail);
        }
        if (key.KeyType == KeyAlgorithms.Rsa && key.SizeInBits < _config.RequiredRsaSize)
        {
            SshServerLog.VerboseMessage(_log, $"userauth_pubkey: refusing RSA key: Invalid key length [preauth]");
            return (AttemptResult.Failure, "publickey", detail);
        }
        if (key is SshCertificate certificate && !_config.CaSignatureAlgorithms.Contains(certificate.SignatureAlgorithm))
        {
            // sshkey_check_cert_sigtype: a CA signature algorithm outside CASignatureAlgorithms (ssh-rsa, by default).
            SshServerLog.Info(_log, $"userauth_pubkey: certificate signature algorithm {certificate.SignatureAlgorithm}: signature algorithm not supported [preauth]");
            return (AttemptResult.Failure, "publickey", detail);
        }
        if (!_valid || KeyRevoked(key))
            return (AttemptResult.Failure, "publickey", detail);

        var keyOptions = await _authentication.AuthorizePublicKeyAsync(_user!, key, _authContext, cancellationToken).ConfigureAwait(false);
        if (keyOptions is null)
            return (AttemptResult.Failure, "publickey", detail);

        if (!hasSignature)
        {
            // The client asks whether this key would do; PK_OK lets it spend a signature (or a passphrase) on it.
            using var ok = new SshWriter(blob.Length + algorithm.Length + 16);
            ok.WriteByte((byte)MessageNumber.UserAuthMethod60).WriteString(algorithm).WriteString(blob);
            await _transport.SendAsync(ok.WrittenMemory, cancellationToken).ConfigureAwait(false);
            SshServerLog.Postponed(_log, "publickey", "", _userName!, _client.Ip, _client.Port, detail);
            return (AttemptResult.Postponed, "publickey", detail);
        }

        // The signature covers the session id and this request up to (not including) the signature itself.
        using var signed = new SshWriter(_transport.SessionId.Length + signedLength + 8);
        signed.WriteString(_transport.SessionId.Span).WriteRaw(request.Packet.Payload[..signedLength]);
        if (!SignatureBlob.TryRead(signature, out var signatureAlgorithm, out _) || signatureAlgorithm != SshCertificate.PlainSignatureAlgorithmOf(algorithm) ||
            !key.Verify(signed.WrittenSpan, signature))
            return (AttemptResult.Failure, "publickey", detail);
        if (!SecurityKeyRequirementsMet(key, keyOptions, signed.WrittenSpan, signature!, detail))
            return (AttemptResult.Failure, "publickey", detail);
        if (!RootAllowed("publickey", keyOptions))
            return (AttemptResult.Failure, "publickey", detail);
        _keyOptions = keyOptions;
        _usedKeys.Add(key);
        return (AttemptResult.Success, "publickey", detail);
    }

    /// <summary>
    /// A security key's signature carries the authenticator's flags: touch (user presence) is required unless
    /// no-touch-required was granted, and verify-required asks for user verification (PIN or biometric).
    /// </summary>
    private bool SecurityKeyRequirementsMet(SshPublicKey key, AuthorizedKeysOptions options, ReadOnlySpan<byte> signed, byte[] signature, string detail)
    {
        if ((key is SshCertificate c ? c.Key : key) is not SecurityKeyPublicKey securityKey)
            return true;
        if (!securityKey.TryVerify(signed, signature, out byte flags, out _))
            return false;
        if (!options.NoTouchRequired && (flags & 0x01) == 0)
        {
            SshServerLog.Error(_log, $"public key{detail[1..]} signature for {_userName} from {_client.Ip} port {_client.Port} rejected: " +
                "user presence (authenticator touch) requirement not met ");
            return false;
        }
        if (options.VerifyRequired && (flags & 0x04) == 0)
        {
            SshServerLog.Error(_log, $"public key{detail[1..]} signature for {_userName} from {_client.Ip} port {_client.Port} rejected: " +
                "user verification requirement not met ");
            return false;
        }
        return true;
    }

    private async Task<(AttemptResult, string, string)> PasswordAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        string password;
        {
            var reader = request.MethodReader();
            var change = reader.ReadBoolean();
            password = reader.ReadUtf8String();
            if (change)
                return (AttemptResult.Failure, "password", "");
        }
        var ok = await CheckPasswordAsync(password, cancellationToken).ConfigureAwait(false);
        return (ok && RootAllowed("password") ? AttemptResult.Success : AttemptResult.Failure, "password", "");
    }

    private async Task<bool> CheckPasswordAsync(string password, CancellationToken cancellationToken)
    {
        if (!_valid || _user is null)
            return false;
        if (password.Length == 0 && !_config.PermitEmptyPasswords)
            return false;
        return await _authentication.CheckPasswordAsync(_user, password, _authContext, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// keyboard-interactive with one "Password: " prompt answered against the password check (PAM's usual
    /// conversation); logged as keyboard-interactive/pam, as sshd with UsePAM logs it.
    /// </summary>
    private async Task<(AttemptResult, string, string)> KeyboardInteractiveAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        const string method = "keyboard-interactive/pam";
        using (var info = new SshWriter(64))
        {
            info.WriteByte((byte)MessageNumber.UserAuthMethod60).WriteString("").WriteString("").WriteString("")
                .WriteUInt32(1).WriteString("Password: ").WriteBoolean(false);
            await _transport.SendAsync(info.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        string? answer = null;
        while (true)
        {
            var received = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (received.Type == MessageNumber.UserAuthRequest)
            {
                // The client gave up on the prompt and tries something else (as sshd allows); not a failure.
                _pendingRequest = received;
                return (AttemptResult.Abandoned, method, "");
            }
            using var packet = received;
            if (packet.Type == MessageNumber.ExtInfo)
                continue;
            if (packet.Type != MessageNumber.UserAuthMethod61)
                throw new SshProtocolException($"expected SSH_MSG_USERAUTH_INFO_RESPONSE, received message type {(byte)packet.Type}");
            var reader = packet.Reader();
            var count = reader.ReadUInt32();
            if (count > 100)
                throw new SshProtocolException("too many keyboard-interactive responses");
            for (var i = 0; i < count; i++)
            {
                var response = reader.ReadUtf8String();
                if (i == 0)
                    answer = response;
            }
            break;
        }
        var ok = answer is not null && await CheckPasswordAsync(answer, cancellationToken).ConfigureAwait(false);
        return (ok && RootAllowed("keyboard-interactive") ? AttemptResult.Success : AttemptResult.Failure, method, "");
    }
}
