using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Auth;

/// <summary>
/// The account and key policy of <see cref="ServerAuthenticator"/> that OpenSSH applies around the methods:
/// locked and expired accounts (auth.c allowed_user without PAM), PAM's account stage after success
/// (auth2.c userauth_finish with UsePAM), and RevokedKeys (auth.c auth_key_is_revoked).
/// </summary>
internal sealed partial class ServerAuthenticator
{
    /// <summary>
    /// platform_locked_account, which sshd consults only without PAM (with PAM the account stage decides):
    /// an expired account or a locked password ("!" on Linux) makes the user invalid.
    /// </summary>
    private bool AccountLocked(SshServerUser user)
    {
        if (_config.UsePam || _options.Backend?.AccountLocked(user) is not { } lines)
            return false;
        foreach (var line in lines)
            SshServerLog.Info(_log, line);
        return true;
    }

    /// <summary>
    /// With UsePAM, pam_acct_mgmt runs once authentication has succeeded; its messages reach the user as a
    /// banner, and a refusal ends the connection as sshd's fatal() does (no USERAUTH_SUCCESS, no DISCONNECT).
    /// </summary>
    private async Task CheckPamAccountAsync(CancellationToken cancellationToken)
    {
        // A host that authenticates against its own user store (no sshd backend) has no PAM account stage.
        if (!_config.UsePam || _user is null || _options.Backend is not { } backend)
            return;
        var verdict = await backend.CheckAccountAsync(_user, _client.Ip, cancellationToken).ConfigureAwait(false);
        if (verdict.Message.Length > 0)
        {
            using var banner = new SshWriter(verdict.Message.Length + 16);
            banner.WriteByte((byte)MessageNumber.UserAuthBanner).WriteString(verdict.Message).WriteString("");
            await _transport.SendAsync(banner.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        if (!verdict.Allowed)
            throw new SshAccountDeniedException($"Access denied for user {_userName} by PAM account configuration [preauth]");
    }

    /// <summary>auth_key_is_revoked for the key and, for a certificate, its CA; an unreadable file refuses the key.</summary>
    private bool KeyRevoked(SshPublicKey key)
    {
        if (_config.RevokedKeys is not { } path)
            return false;
        var label = KeyFingerprint.TypeLabel(key.KeyType);
        var fingerprint = KeyFingerprint.Format(key);
        try
        {
            if (!RevokedKeysFile.IsRevoked(path, key))
                return false;
            SshServerLog.Error(_log, $"Authentication key {label} {fingerprint} revoked by file {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException)
        {
            SshServerLog.Error(_log, $"Error checking authentication key {label} {fingerprint} in revoked keys file {path}: {RevokedKeysFile.Describe(e)}");
        }
        return true;
    }
}

/// <summary>The account may not log in (PAM's account stage refused it); the message is sshd's fatal line.</summary>
internal sealed class SshAccountDeniedException(string message) : SshException(message);
