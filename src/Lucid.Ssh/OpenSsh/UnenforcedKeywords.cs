namespace Lucid.Ssh.OpenSsh;

/// <summary>What Lucid does with a keyword it parses but does not carry out yet.</summary>
internal enum UnenforcedVerdict
{
    /// <summary>Ignoring it only makes Lucid do less than asked: a warning in OpenSSH's unsupported-option words.</summary>
    Warn,
    /// <summary>Ignoring it would weaken security (or leave the user without a safeguard they rely on): refuse.</summary>
    Refuse,
}

/// <summary>
/// One keyword Lucid parses but does not enforce: the verdict, why (shown to the user), and which argument
/// lists it can ignore exactly because they ask for nothing Lucid fails to do ("none", "no").
/// </summary>
internal sealed record UnenforcedKeyword(string Keyword, UnenforcedVerdict Verdict, string Why, Func<IReadOnlyList<string>, bool>? Harmless = null)
{
    /// <summary>Whether a line with these arguments asks for something Lucid does not do.</summary>
    public bool Matters(IReadOnlyList<string> args) => Harmless is null || args.Count == 0 || !Harmless(args);
}

/// <summary>
/// The one table of keywords `lucid sshd` and `lucid ssh` parse but do not enforce (the "no silent no-ops"
/// rule). When a feature lands, its row goes: nothing else refers to these keywords. Keywords whose every
/// value is already honoured because the feature they restrict does not exist (PermitOpen, PermitListen,
/// DisableForwarding, X11DisplayOffset, IgnoreRhosts, HostbasedAcceptedAlgorithms ...) are not listed:
/// Lucid refuses what they restrict, so ignoring them changes nothing.
/// </summary>
internal static class UnenforcedKeywords
{
    private static bool First(IReadOnlyList<string> a, params string[] values) =>
        values.Any(v => string.Equals(a[0], v, StringComparison.OrdinalIgnoreCase));

    private static Func<IReadOnlyList<string>, bool> Is(params string[] values) => a => First(a, values);

    /// <summary>sshd_config keywords, by the canonical (lower-case) name of <see cref="SshdConfigKeywords"/>.</summary>
    public static IReadOnlyDictionary<string, UnenforcedKeyword> Server { get; } = new[]
    {
        // Refused: ignoring these would let someone in, or let a session do, what the administrator forbade.
        new UnenforcedKeyword("TrustedUserCAKeys", UnenforcedVerdict.Refuse,
            "user certificates are not accepted yet, so the CA's principals, validity and critical options could not be applied", Is("none")),
        new UnenforcedKeyword("AuthorizedPrincipalsFile", UnenforcedVerdict.Refuse,
            "user certificates are not accepted yet, so principals could not be restricted", Is("none")),
        new UnenforcedKeyword("AuthorizedPrincipalsCommand", UnenforcedVerdict.Refuse,
            "user certificates are not accepted yet, so principals could not be restricted", Is("none")),
        new UnenforcedKeyword("ChrootDirectory", UnenforcedVerdict.Refuse,
            "sessions would see the whole file system instead of the chroot", Is("none")),
        new UnenforcedKeyword("Subsystem", UnenforcedVerdict.Refuse,
            "internal-sftp (the in-process SFTP server that sftp-only and chrooted setups rely on) is not built in yet",
            a => a.Count < 2 || !a[1].Equals("internal-sftp", StringComparison.Ordinal)),
        new UnenforcedKeyword("ForceCommand", UnenforcedVerdict.Refuse,
            "internal-sftp (the in-process SFTP server that sftp-only setups rely on) is not built in yet",
            a => !a[0].Equals("internal-sftp", StringComparison.Ordinal)),
        new UnenforcedKeyword("ChannelTimeout", UnenforcedVerdict.Refuse, "idle channels would never be closed", Is("none")),
        new UnenforcedKeyword("UnusedConnectionTimeout", UnenforcedVerdict.Refuse,
            "connections without channels would never be closed", Is("none", "0")),
        new UnenforcedKeyword("PerSourceMaxStartups", UnenforcedVerdict.Refuse,
            "unauthenticated connections would not be limited per source address", Is("none")),
        new UnenforcedKeyword("PubkeyAuthOptions", UnenforcedVerdict.Refuse,
            "security key touch and verification requirements are not checked yet", Is("none")),

        // Warned: ignoring these only makes Lucid do less than asked.
        new UnenforcedKeyword("HostCertificate", UnenforcedVerdict.Warn,
            "host certificates are not offered yet; clients check the plain host key against known_hosts"),
        new UnenforcedKeyword("X11Forwarding", UnenforcedVerdict.Warn, "X11 forwarding requests are refused", Is("no")),
        new UnenforcedKeyword("AllowAgentForwarding", UnenforcedVerdict.Warn, "agent forwarding requests are refused", Is("no")),
        new UnenforcedKeyword("AllowTcpForwarding", UnenforcedVerdict.Warn, "TCP forwarding requests are refused", Is("no")),
        new UnenforcedKeyword("AllowStreamLocalForwarding", UnenforcedVerdict.Warn, "Unix socket forwarding requests are refused", Is("no")),
        new UnenforcedKeyword("GatewayPorts", UnenforcedVerdict.Warn, "remote forwarding requests are refused", Is("no")),
        new UnenforcedKeyword("PermitTunnel", UnenforcedVerdict.Warn, "tunnel device forwarding is refused", Is("no")),
        new UnenforcedKeyword("HostbasedAuthentication", UnenforcedVerdict.Warn, "hostbased authentication is not offered", Is("no")),
        new UnenforcedKeyword("GSSAPIAuthentication", UnenforcedVerdict.Warn, "GSSAPI authentication is not offered", Is("no")),
        new UnenforcedKeyword("KerberosAuthentication", UnenforcedVerdict.Warn, "Kerberos password checks are not done", Is("no")),
        new UnenforcedKeyword("AuthorizedKeysCommand", UnenforcedVerdict.Warn,
            "the command is not run; only AuthorizedKeysFile is read", Is("none")),
        new UnenforcedKeyword("UseDNS", UnenforcedVerdict.Warn, "from= and Match Host patterns see the client's address only", Is("no")),
        new UnenforcedKeyword("ExposeAuthInfo", UnenforcedVerdict.Warn, "SSH_USER_AUTH is not set", Is("no")),
        new UnenforcedKeyword("PermitUserRC", UnenforcedVerdict.Warn, "~/.ssh/rc is not run", Is("no")),
        new UnenforcedKeyword("PrintLastLog", UnenforcedVerdict.Warn, "the last login is not shown", Is("no")),
        new UnenforcedKeyword("PidFile", UnenforcedVerdict.Warn, "no PID file is written", Is("none")),
        new UnenforcedKeyword("ModuliFile", UnenforcedVerdict.Warn, "group exchange uses Lucid's built-in moduli"),
        new UnenforcedKeyword("HostKeyAgent", UnenforcedVerdict.Warn, "host keys are read from their files only", Is("none")),
        new UnenforcedKeyword("SecurityKeyProvider", UnenforcedVerdict.Warn, "no provider library is loaded", Is("internal")),
        new UnenforcedKeyword("LogVerbose", UnenforcedVerdict.Warn, "per-function verbose logging is not available", Is("none")),
        new UnenforcedKeyword("FingerprintHash", UnenforcedVerdict.Warn, "the log shows SHA256 fingerprints", Is("sha256")),
        new UnenforcedKeyword("IPQoS", UnenforcedVerdict.Warn, "no IP type-of-service is set on connections"),
    }.ToDictionary(k => k.Keyword, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// sshd's check of one configuration line: null when Lucid honours it; a warning (Warn) or an error (Refuse)
    /// in OpenSSH's "Unsupported option" words otherwise.
    /// </summary>
    public static (UnenforcedVerdict Verdict, string Message)? CheckServer(string file, int line, string keyword, string canonical,
        IReadOnlyList<string> args)
    {
        if (!Server.TryGetValue(canonical, out var row) || !row.Matters(args))
            return null;
        var message = row.Verdict == UnenforcedVerdict.Refuse
            ? $"{file} line {line}: Unsupported option {keyword}: refusing to start, because ignoring it would weaken security ({row.Why})"
            : $"{file} line {line}: Unsupported option {keyword} (not supported yet by Lucid: {row.Why})";
        return (row.Verdict, message);
    }
}
