using Lucid.Ssh.Keys;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// The restrictions a user certificate carries (auth-options.c sshauthopt_from_cert) and how they combine with an
/// authorized_keys or principals line's (sshauthopt_merge): permissions must be granted by both, restrictions
/// by either, a forced command must agree, the earliest expiry wins.
/// </summary>
public sealed partial class AuthorizedKeysOptions
{
    /// <summary>A certificate's source-address critical option: the CIDR list the client's address must be in.</summary>
    public string? SourceAddress { get; private set; }

    /// <summary>
    /// The options of a user certificate: its extensions grant permissions (none is granted otherwise), its critical
    /// options restrict. Null, with OpenSSH's reason in <paramref name="error"/>, for a critical option sshd does not
    /// know (it must refuse what it cannot honour), a malformed or repeated one, or a host certificate.
    /// </summary>
    internal static AuthorizedKeysOptions? FromCertificate(SshCertificate certificate, out string? error)
    {
        error = null;
        if (certificate.CertificateType != SshCertificateType.User)
            return null;
        var o = new AuthorizedKeysOptions
        {
            PermitPortForwarding = false,
            PermitAgentForwarding = false,
            PermitX11Forwarding = false,
            PermitPty = false,
            PermitUserRc = false,
        };
        foreach (var option in certificate.CriticalOptionList)
        {
            switch (option.Name)
            {
                case "verify-required":
                    o.VerifyRequired = true;
                    break;
                case "force-command":
                    if (option.Value is not { } command)
                        return Fail($"Unable to parse \"{option.Name}\" section: invalid format", out error);
                    if (o.ForceCommand is not null)
                        return Fail("Certificate has multiple force-command options", out error);
                    o.ForceCommand = command;
                    break;
                case "source-address":
                    if (option.Value is not { } allowed)
                        return Fail($"Unable to parse \"{option.Name}\" section: invalid format", out error);
                    if (o.SourceAddress is not null)
                        return Fail("Certificate has multiple source-address options", out error);
                    if (CidrList.Match(null, allowed) == -1)
                        return Fail("Certificate source-address contents invalid", out error);
                    o.SourceAddress = allowed;
                    break;
                default:
                    return Fail($"Certificate critical option \"{option.Name}\" is not supported", out error);
            }
        }
        foreach (var option in certificate.ExtensionList)
        {
            switch (option.Name)
            {
                case "no-touch-required": o.NoTouchRequired = true; break;
                case "permit-X11-forwarding": o.PermitX11Forwarding = true; break;
                case "permit-agent-forwarding": o.PermitAgentForwarding = true; break;
                case "permit-port-forwarding": o.PermitPortForwarding = true; break;
                case "permit-pty": o.PermitPty = true; break;
                case "permit-user-rc": o.PermitUserRc = true; break;
                default: break; // unknown extensions are ignored, as by OpenSSH
            }
        }
        return o;
    }

    /// <summary>
    /// sshauthopt_merge: <paramref name="primary"/> (the authorized_keys or principals line) with
    /// <paramref name="additional"/> (the certificate). Null when both force different commands.
    /// </summary>
    internal static AuthorizedKeysOptions? Merge(AuthorizedKeysOptions primary, AuthorizedKeysOptions additional, out string? reason)
    {
        reason = null;
        string? command = primary.ForceCommand ?? additional.ForceCommand;
        if (primary.ForceCommand is not null && additional.ForceCommand is not null && primary.ForceCommand != additional.ForceCommand)
            return Fail("forced command options do not match", out reason);
        var merged = new AuthorizedKeysOptions
        {
            Restricted = primary.Restricted || additional.Restricted,
            SourceAddress = primary.SourceAddress ?? additional.SourceAddress,
            From = primary.From ?? additional.From,
            Tunnel = primary.Tunnel ?? additional.Tunnel,
            PermitPortForwarding = primary.PermitPortForwarding && additional.PermitPortForwarding,
            PermitAgentForwarding = primary.PermitAgentForwarding && additional.PermitAgentForwarding,
            PermitX11Forwarding = primary.PermitX11Forwarding && additional.PermitX11Forwarding,
            PermitPty = primary.PermitPty && additional.PermitPty,
            PermitUserRc = primary.PermitUserRc && additional.PermitUserRc,
            NoTouchRequired = primary.NoTouchRequired && additional.NoTouchRequired,
            VerifyRequired = primary.VerifyRequired || additional.VerifyRequired,
            ExpiryTime = primary.ExpiryTime is { } a && additional.ExpiryTime is { } b ? (a < b ? a : b) : primary.ExpiryTime ?? additional.ExpiryTime,
            ForceCommand = command,
        };
        merged._environment.AddRange(primary._environment.Count > 0 ? primary._environment : additional._environment);
        merged._permitOpen.AddRange(primary._permitOpen.Count > 0 ? primary._permitOpen : additional._permitOpen);
        merged._permitListen.AddRange(primary._permitListen.Count > 0 ? primary._permitListen : additional._permitListen);
        return merged;
    }
}
