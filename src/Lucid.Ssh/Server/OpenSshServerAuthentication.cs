using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Server;

/// <summary>
/// sshd's answers to <see cref="ISshServerAuthentication"/>: users from the system (through the backend),
/// keys from the AuthorizedKeysFile files (StrictModes, from=, expiry-time=, restrictions), user certificates from
/// cert-authority lines and TrustedUserCAKeys (with AuthorizedPrincipalsFile), passwords by PAM.
/// </summary>
public sealed class OpenSshServerAuthentication(ISshServerBackend backend) : ISshServerAuthentication
{
    /// <inheritdoc/>
    public ValueTask<SshServerUser?> FindUserAsync(string userName, SshServerAuthContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(backend.FindUser(userName));

    /// <inheritdoc/>
    public bool PasswordsSupported => backend.PasswordsSupported;

    /// <inheritdoc/>
    public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, SshServerAuthContext context, CancellationToken cancellationToken) =>
        backend.CheckPasswordAsync(user, password, context.RemoteAddress, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<AuthorizedKeysOptions?> AuthorizePublicKeyAsync(SshServerUser user, SshPublicKey key, SshServerAuthContext context,
        CancellationToken cancellationToken)
    {
        var config = context.Config;
        var log = context.Logger;
        var certificate = key as SshCertificate;
        var certificates = certificate is null ? null : new UserCertificateAuthorization(certificate, user, context);
        foreach (var pattern in config.AuthorizedKeysFiles)
        {
            if (pattern.Equals("none", StringComparison.OrdinalIgnoreCase))
                continue;
            string path;
            try
            {
                path = AuthorizedKeysPath.Expand(pattern, user.Name, user.Uid, user.Home);
            }
            catch (SshException e)
            {
                SshServerLog.Error(log, e.Message);
                continue;
            }
            var text = backend.ReadAuthorizedKeys(user, path, config.StrictModes, m => SshServerLog.Info(log, m));
            if (text is null)
                continue;
            var entries = AuthorizedKeysFile.Parse(text, path, m => SshServerLog.Debug1(log, m));
            if (certificates is not null)
            {
                if (certificates.FromAuthorizedKeys(entries) is { } certificateOptions)
                    return ValueTask.FromResult<AuthorizedKeysOptions?>(certificateOptions);
                continue;
            }
            var found = AuthorizedKeysFile.Authorize(entries, key, user.Name, context.Client.Ip, context.Client.Host, DateTimeOffset.UtcNow,
                m => SshServerLog.Info(log, m), m => SshServerLog.Debug1(log, m));
            if (found is not null)
            {
                SshServerLog.Debug1(log, $"{found.Location}: matching key found: {KeyFingerprint.TypeLabel(key.KeyType)} {KeyFingerprint.Format(key)}");
                return ValueTask.FromResult<AuthorizedKeysOptions?>(found.Options);
            }
        }
        if (certificates is not null && config.TrustedUserCaKeys is { } trusted)
            return ValueTask.FromResult(certificates.FromTrustedCa(trusted, ReadPrincipalsFile(user, context)));
        return ValueTask.FromResult<AuthorizedKeysOptions?>(null);
    }

    // AuthorizedPrincipalsFile, expanded for the user and read under StrictModes like an authorized_keys file.
    private (string Path, string? Text)? ReadPrincipalsFile(SshServerUser user, SshServerAuthContext context)
    {
        if (context.Config.AuthorizedPrincipalsFile is not { } pattern)
            return null;
        string path;
        try
        {
            path = AuthorizedKeysPath.Expand(pattern, user.Name, user.Uid, user.Home);
        }
        catch (SshException e)
        {
            SshServerLog.Error(context.Logger, e.Message);
            return (pattern, null);
        }
        SshServerLog.Debug1(context.Logger, $"trying authorized principals file {path}");
        return (path, backend.ReadAuthorizedKeys(user, path, context.Config.StrictModes, m => SshServerLog.Info(context.Logger, m)));
    }
}
