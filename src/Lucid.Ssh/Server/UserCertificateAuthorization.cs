using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Server;

/// <summary>
/// sshd's decision on a user certificate (auth2-pubkey.c user_cert_trusted_ca, auth2-pubkeyfile.c's
/// cert-authority lines and principals files): the CA must be trusted — listed in TrustedUserCAKeys or on a
/// cert-authority line of an authorized_keys file — the certificate valid now, one of its principals the user
/// (or listed in the AuthorizedPrincipalsFile, or in the line's principals=), and its critical options honoured
/// (source-address checked here; force-command and the permissions travel in the returned options). Refusals are
/// logged in sshd's words ("Refusing certificate ID ... : Certificate invalid: expired").
/// </summary>
internal sealed class UserCertificateAuthorization(SshCertificate certificate, SshServerUser user, SshServerAuthContext context)
{
    private readonly ILogger _log = context.Logger;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    private string CaType => KeyFingerprint.TypeLabel(certificate.SignatureKey.KeyType);

    private string CaFingerprint => KeyFingerprint.Format(certificate.SignatureKey);

    /// <summary>auth_check_authkey_line for a certificate: the first cert-authority entry naming its CA that authorises it.</summary>
    public AuthorizedKeysOptions? FromAuthorizedKeys(IEnumerable<AuthorizedKeysEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (!entry.Options.CertAuthority || !entry.Key.Equals(certificate.SignatureKey))
                continue;
            string loc = entry.Location;
            string fingerprint = KeyFingerprint.Format(entry.Key);
            SshServerLog.Debug1(_log, $"{loc}: matching CA found: {KeyFingerprint.TypeLabel(entry.Key.KeyType)} {fingerprint}");
            if (!Authorise(entry.Options, allowCertAuthority: true, loc))
            {
                SshServerLog.Error(_log, $"Refused by key options at {loc}");
                continue;
            }
            string? reason = Check(entry.Options, loc, primaryLoc: null, out var options);
            if (reason is null && entry.Options.Principals is { } listed &&
                !certificate.Principals.Any(p => listed.Split(',').Contains(p, StringComparer.Ordinal)))
                reason = "Certificate does not contain an authorized principal";
            reason ??= SshCertificateValidation.CheckUser(certificate, entry.Options.Principals is null ? user.Name : null, _now);
            if (reason is null)
            {
                SshServerLog.VerboseMessage(_log, $"Accepted certificate ID \"{certificate.KeyId}\" (serial {certificate.Serial}) " +
                    $"signed by CA {KeyFingerprint.TypeLabel(entry.Key.KeyType)} {fingerprint} found at {loc}");
                return options;
            }
            SshServerLog.Error(_log, $"Refusing certificate ID \"{certificate.KeyId}\" serial={certificate.Serial} " +
                $"signed by {CaType} CA {fingerprint} via {loc}: {reason}");
        }
        return null;
    }

    /// <summary>
    /// user_cert_trusted_ca: the CA listed in TrustedUserCAKeys; principals from <paramref name="principalsFiles"/>
    /// (the AuthorizedPrincipalsFile's path and text, null text when it could not be read) or else the user's name.
    /// </summary>
    public AuthorizedKeysOptions? FromTrustedCa(string trustedCaKeys, (string Path, string? Text)? principalsFile)
    {
        if (!Listed(trustedCaKeys))
        {
            SshServerLog.Debug1(_log, $"CA {CaType} {CaFingerprint} is not listed in {trustedCaKeys}");
            return null;
        }
        AuthorizedKeysOptions? principalOptions = null;
        string? reason = null;
        if (principalsFile is { } file)
        {
            principalOptions = file.Text is null ? null : MatchPrincipals(file.Path, file.Text);
            if (principalOptions is null)
                reason = "Certificate does not contain an authorized principal";
        }
        reason ??= SshCertificateValidation.CheckUser(certificate, principalsFile is null ? user.Name : null, _now);
        AuthorizedKeysOptions? options = null;
        reason ??= Check(principalOptions, "cert", "principals", out options);
        if (reason is null)
        {
            SshServerLog.VerboseMessage(_log, $"Accepted certificate ID \"{certificate.KeyId}\" (serial {certificate.Serial}) " +
                $"signed by {CaType} CA {CaFingerprint} via {trustedCaKeys}");
            return options;
        }
        SshServerLog.Error(_log, $"Refusing certificate ID \"{certificate.KeyId}\" serial={certificate.Serial} " +
            $"signed by {CaType} CA {CaFingerprint}: {reason}");
        return null;
    }

    // The certificate's own options, checked (source-address), then merged under the line's (when there is one; a
    // principals file line is checked here too, an authorized_keys line was checked before).
    private string? Check(AuthorizedKeysOptions? primary, string loc, string? primaryLoc, out AuthorizedKeysOptions? merged)
    {
        merged = null;
        var own = AuthorizedKeysOptions.FromCertificate(certificate, out var error);
        if (own is null)
        {
            if (error is not null)
                SshServerLog.Error(_log, error);
            return "Invalid certificate options";
        }
        if (!Authorise(own, allowCertAuthority: false, loc))
            return "Refused by certificate options";
        if (primary is null)
        {
            merged = own;
            return null;
        }
        if (primaryLoc is not null && !Authorise(primary, allowCertAuthority: false, primaryLoc))
            return "Refused by certificate principals options";
        merged = AuthorizedKeysOptions.Merge(primary, own, out var reason);
        return reason;
    }

    /// <summary>auth_authorise_keyopts: expiry-time, principals only on CAs, from=, and a certificate's source-address.</summary>
    private bool Authorise(AuthorizedKeysOptions options, bool allowCertAuthority, string loc)
    {
        string ip = context.RemoteAddress, host = context.Client.Host;
        if (options.ExpiryTime is { } expiry && expiry < _now)
        {
            SshServerLog.Debug1(_log, $"{loc}: entry expired at {expiry.LocalDateTime:yyyy-MM-ddTHH:mm:ss}");
            return false;
        }
        if (options.Principals is not null && !options.CertAuthority)
        {
            SshServerLog.Debug1(_log, $"{loc}: principals on non-CA key");
            return false;
        }
        if (!allowCertAuthority && options.CertAuthority)
        {
            SshServerLog.Debug1(_log, $"{loc}: cert-authority flag invalid here");
            return false;
        }
        if (options.From is { } from && SshdConfigPatterns.MatchHostAndIp(host, ip, from) != 1)
        {
            SshServerLog.Info(_log, $"{loc}: Authentication tried for {user.Name} with correct key but not from a permitted host " +
                $"(host={host}, ip={ip}, required={from}).");
            return false;
        }
        if (options.SourceAddress is { } allowed && CidrList.Match(ip, allowed) != 1)
        {
            SshServerLog.Info(_log, $"{loc}: Authentication tried for {user.Name} with valid certificate but not from a permitted " +
                $"source address ({ip}).");
            return false;
        }
        return true;
    }

    // sshkey_in_file(ca, file, strict_type = 1): the CA key itself, one key per line; an unreadable file lists nothing.
    private bool Listed(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').TrimStart(' ', '\t');
            if (line.Length == 0 || line[0] == '#')
                continue;
            try
            {
                if (SshPublicKey.ParseLine(line).Equals(certificate.SignatureKey))
                    return true;
            }
            catch (SshKeyFormatException)
            {
                // sshkey_in_file skips lines that are not keys.
            }
        }
        return false;
    }

    /// <summary>auth_process_principals: the first line naming one of the certificate's principals gives its options.</summary>
    private AuthorizedKeysOptions? MatchPrincipals(string path, string text)
    {
        var lines = text.Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            int hash = line.IndexOf('#');
            if (hash >= 0)
                line = line[..hash];
            line = line.TrimStart(' ', '\t').TrimEnd('\n', '\r', ' ', '\t');
            if (line.Length == 0)
                continue;
            string loc = $"{path}:{n + 1}";
            // Internal whitespace means options come first; the principal is the last word.
            int split = line.LastIndexOf(' ');
            if (split < 0)
                split = line.LastIndexOf('\t');
            string principal = split < 0 ? line : line[(split + 1)..].TrimStart(' ', '\t');
            var options = AuthorizedKeysOptions.None;
            if (split >= 0)
            {
                var parsed = AuthorizedKeysOptions.Parse(line[..split], out var error);
                if (parsed is null)
                {
                    SshServerLog.Debug1(_log, $"{loc}: bad principals options: {error}");
                    continue;
                }
                options = parsed;
            }
            if (certificate.Principals.Contains(principal, StringComparer.Ordinal))
                return options;
        }
        return null;
    }
}
