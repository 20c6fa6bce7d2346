using System.Globalization;

namespace Lucid.Ssh.Keys;

/// <summary>
/// The checks OpenSSH applies to a certificate once its CA is trusted (sshkey_cert_check_host and
/// sshkey_format_cert_validity in sshkey.c), with OpenSSH's reasons, so the CLI can print what ssh prints.
/// </summary>
public static class SshCertificateValidation
{
    /// <summary>OpenSSH's default CASignatureAlgorithms: the CA signature algorithms accepted when none are configured.</summary>
    public static IReadOnlyList<string> DefaultCaSignatureAlgorithms { get; } =
        ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
         "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256"];

    /// <summary>
    /// Why <paramref name="certificate"/> does not vouch for host <paramref name="name"/> at <paramref name="now"/>, or
    /// null when it does: a host certificate, within its validity, <paramref name="name"/> among its principals (an empty
    /// list names every host, as in OpenSSH 9.2, which does not require principals for host certificates), no critical
    /// options (none are defined for hosts) and a CA signature algorithm allowed by CASignatureAlgorithms.
    /// </summary>
    public static string? CheckHost(SshCertificate certificate, string name, DateTimeOffset now,
        IReadOnlyCollection<string>? caSignatureAlgorithms = null)
    {
        if (certificate.CertificateType != SshCertificateType.Host)
            return "Certificate invalid: not a host certificate";
        ulong seconds = (ulong)Math.Max(0, now.ToUnixTimeSeconds());
        if (seconds < certificate.ValidAfter)
            return "Certificate invalid: not yet valid";
        if (seconds >= certificate.ValidBefore)
            return "Certificate invalid: expired";
        // Principals are compared exactly: OpenSSH matches host principals without wildcards.
        if (certificate.Principals.Count > 0 && !certificate.Principals.Contains(name, StringComparer.Ordinal))
            return "Certificate invalid: name is not a listed principal";
        if (certificate.CriticalOptions.Count > 0)
            return "Certificate contains unsupported critical options";
        if (!(caSignatureAlgorithms ?? DefaultCaSignatureAlgorithms).Contains(certificate.SignatureAlgorithm))
            return "Certificate signed with disallowed algorithm";
        return null;
    }

    /// <summary>
    /// Why user certificate <paramref name="certificate"/> does not vouch for <paramref name="name"/> at <paramref name="now"/>,
    /// or null when it does (sshkey_cert_check_authority for users): a user certificate, within its validity, with a
    /// principal list (an empty one is refused for users) naming <paramref name="name"/> exactly. A null name skips the
    /// name check (the principals were matched against an AuthorizedPrincipalsFile or principals= instead).
    /// </summary>
    public static string? CheckUser(SshCertificate certificate, string? name, DateTimeOffset now)
    {
        if (certificate.CertificateType != SshCertificateType.User)
            return "Certificate invalid: not a user certificate";
        ulong seconds = (ulong)Math.Max(0, now.ToUnixTimeSeconds());
        if (seconds < certificate.ValidAfter)
            return "Certificate invalid: not yet valid";
        if (seconds >= certificate.ValidBefore)
            return "Certificate invalid: expired";
        if (certificate.Principals.Count == 0)
            return "Certificate lacks principal list";
        if (name is not null && !certificate.Principals.Contains(name, StringComparer.Ordinal))
            return "Certificate invalid: name is not a listed principal";
        return null;
    }

    /// <summary>The validity period as OpenSSH prints it: "forever", "after T", "before T" or "from T to T" (local time).</summary>
    public static string FormatValidity(SshCertificate certificate)
    {
        bool fromStart = certificate.ValidAfter == 0, forever = certificate.ValidBefore == ulong.MaxValue;
        if (fromStart && forever)
            return "forever";
        if (fromStart)
            return "before " + FormatTime(certificate.ValidBefore);
        if (forever)
            return "after " + FormatTime(certificate.ValidAfter);
        return $"from {FormatTime(certificate.ValidAfter)} to {FormatTime(certificate.ValidBefore)}";
    }

    // OpenSSH's format_absolute_time: strftime "%Y-%m-%dT%H:%M:%S" in local time; times past what a time_t holds are clamped.
    private static string FormatTime(ulong seconds)
    {
        long clamped = (long)Math.Min(seconds, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds());
        return DateTimeOffset.FromUnixTimeSeconds(clamped).ToLocalTime().ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
    }
}
