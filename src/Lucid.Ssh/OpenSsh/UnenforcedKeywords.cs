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
/// value is already honoured because the feature they restrict does not exist (X11DisplayOffset, IgnoreRhosts,
/// HostbasedAcceptedAlgorithms ...) are not listed: Lucid refuses what they restrict, so ignoring them changes
/// nothing. (AllowTcpForwarding, AllowStreamLocalForwarding, GatewayPorts, PermitOpen, PermitListen and DisableForwarding are enforced by
/// Forwarding/ForwardingPolicy.)
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
        new UnenforcedKeyword("AuthorizedPrincipalsCommand", UnenforcedVerdict.Refuse,
            "the command is not run, so principals it would allow or restrict could not be applied", Is("none")),
        new UnenforcedKeyword("ChrootDirectory", UnenforcedVerdict.Refuse,
            "sessions would see the whole file system instead of the chroot", Is("none")),
        new UnenforcedKeyword("Subsystem", UnenforcedVerdict.Refuse,
            "internal-sftp (the in-process SFTP server that sftp-only and chrooted setups rely on) is not built in yet",
            a => a.Count < 2 || !a[1].Equals("internal-sftp", StringComparison.Ordinal)),
        new UnenforcedKeyword("ForceCommand", UnenforcedVerdict.Refuse,
            "internal-sftp (the in-process SFTP server that sftp-only setups rely on) is not built in yet",
            a => !a[0].Equals("internal-sftp", StringComparison.Ordinal)),
        new UnenforcedKeyword("PerSourceMaxStartups", UnenforcedVerdict.Refuse,
            "unauthenticated connections would not be limited per source address", Is("none")),
        new UnenforcedKeyword("PubkeyAuthOptions", UnenforcedVerdict.Refuse,
            "security key touch and verification requirements are not checked yet", Is("none")),

        // Warned: ignoring these only makes Lucid do less than asked.
        new UnenforcedKeyword("HostCertificate", UnenforcedVerdict.Warn,
            "host certificates are not offered yet; clients check the plain host key against known_hosts"),
        new UnenforcedKeyword("X11Forwarding", UnenforcedVerdict.Warn, "X11 forwarding requests are refused", Is("no")),
        new UnenforcedKeyword("PermitTunnel", UnenforcedVerdict.Warn, "tunnel device forwarding is refused", Is("no")),
        new UnenforcedKeyword("HostbasedAuthentication", UnenforcedVerdict.Warn, "hostbased authentication is not offered", Is("no")),
        new UnenforcedKeyword("GSSAPIAuthentication", UnenforcedVerdict.Warn, "GSSAPI authentication is not offered", Is("no")),
        new UnenforcedKeyword("KerberosAuthentication", UnenforcedVerdict.Warn, "Kerberos password checks are not done", Is("no")),
        new UnenforcedKeyword("AuthorizedKeysCommand", UnenforcedVerdict.Warn,
            "the command is not run; only AuthorizedKeysFile is read", Is("none")),
        new UnenforcedKeyword("UseDNS", UnenforcedVerdict.Warn, "from= and Match Host patterns see the client's address only", Is("no")),
        new UnenforcedKeyword("ExposeAuthInfo", UnenforcedVerdict.Warn, "SSH_USER_AUTH is not set", Is("no")),
        new UnenforcedKeyword("PrintLastLog", UnenforcedVerdict.Warn, "the last login is not shown", Is("no")),
        new UnenforcedKeyword("ModuliFile", UnenforcedVerdict.Warn, "group exchange uses Lucid's built-in moduli"),
        new UnenforcedKeyword("HostKeyAgent", UnenforcedVerdict.Warn, "host keys are read from their files only", Is("none")),
        new UnenforcedKeyword("SecurityKeyProvider", UnenforcedVerdict.Warn, "no provider library is loaded", Is("internal")),
        new UnenforcedKeyword("LogVerbose", UnenforcedVerdict.Warn, "per-function verbose logging is not available", Is("none")),
        new UnenforcedKeyword("FingerprintHash", UnenforcedVerdict.Warn, "the log shows SHA256 fingerprints", Is("sha256")),
        new UnenforcedKeyword("IPQoS", UnenforcedVerdict.Warn, "no IP type-of-service is set on connections"),
    }.ToDictionary(k => k.Keyword, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// ssh_config keywords, by the name `ssh -G` prints. Checked on the effective configuration (files, -o and the
    /// flags that set them, such as -L and -A), so a value counts when it differs from the harmless ones (mostly
    /// the default). Refuse: the user relies on it to work or to stay safe (a tunnel that would not exist, a host
    /// key check that would not happen), so ssh stops. Warn: said under -v.
    /// </summary>
    public static IReadOnlyList<UnenforcedKeyword> Client { get; } =
    [
        new("Tunnel", UnenforcedVerdict.Refuse, "tun/tap forwarding is not built in yet", Is("false", "no")),
        new("RevokedHostKeys", UnenforcedVerdict.Refuse, "revoked host keys would not be refused", Is("none")),
        new("KnownHostsCommand", UnenforcedVerdict.Refuse, "the host keys it returns would not be checked", Is("none")),
        new("RequiredRSASize", UnenforcedVerdict.Refuse, "the size of the server's RSA key would not be checked", Is("1024")),
        new("ProxyUseFdPass", UnenforcedVerdict.Refuse, "the proxy's file descriptor would be read as the connection", Is("no")),
        new("BindInterface", UnenforcedVerdict.Refuse, "the connection would not be bound to that interface", Is("none")),
        new("ForwardX11", UnenforcedVerdict.Warn, "X11 forwarding is not built in yet", Is("no")),
        new("AddKeysToAgent", UnenforcedVerdict.Warn, "keys are not added to an agent", Is("false", "no")),
        new("ControlMaster", UnenforcedVerdict.Warn, "connections are not shared", Is("false", "no")),
        new("ControlPath", UnenforcedVerdict.Warn, "connections are not shared", Is("none")),
        new("ControlPersist", UnenforcedVerdict.Warn, "connections are not shared", Is("no")),
        new("EnableEscapeCommandline", UnenforcedVerdict.Warn, "the ~C command line is not available", Is("no")),
        new("VisualHostKey", UnenforcedVerdict.Warn, "no randomart is shown", Is("no")),
        new("FingerprintHash", UnenforcedVerdict.Warn, "fingerprints are shown as SHA256", Is("SHA256")),
        new("HostbasedAuthentication", UnenforcedVerdict.Warn, "hostbased authentication is not tried", Is("no")),
        new("GSSAPIAuthentication", UnenforcedVerdict.Warn, "GSSAPI authentication is not tried", Is("no")),
        new("PKCS11Provider", UnenforcedVerdict.Warn, "no PKCS#11 keys are offered", Is("none")),
        new("SecurityKeyProvider", UnenforcedVerdict.Warn, "no provider library is loaded", Is("internal")),
        new("TCPKeepAlive", UnenforcedVerdict.Warn, "no TCP keepalives are sent (ServerAliveInterval works)", Is("no")),
        new("ChannelTimeout", UnenforcedVerdict.Warn, "idle channels are not closed", Is("none")),
        // On by default in OpenSSH 10, so named under -v until Lucid sends keystroke chaff too.
        new("ObscureKeystrokeTiming", UnenforcedVerdict.Warn, "keystroke timing is not obscured", Is("no")),
        // UpdateHostKeys is on by default ("true" in ssh -G), so only "ask" can be told apart from the default.
        new("UpdateHostKeys", UnenforcedVerdict.Warn, "known_hosts is not updated with the server's other keys", Is("false", "true")),
    ];

    /// <summary>
    /// ssh's check of its effective configuration, given as `ssh -G` prints it: one line per finding, Refuse ones
    /// first; the caller stops when any is Refuse.
    /// </summary>
    public static IReadOnlyList<(UnenforcedVerdict Verdict, string Message)> CheckClient(string effectiveConfig)
    {
        var values = new Dictionary<string, List<IReadOnlyList<string>>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in effectiveConfig.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
                continue;
            if (!values.TryGetValue(parts[0], out var list))
                values[parts[0]] = list = [];
            list.Add(parts.Length > 1 && parts[1].Contains(',') ? parts[1].Split(',') : parts[1..]);
        }
        var findings = new List<(UnenforcedVerdict, string)>();
        foreach (var row in Client)
        {
            if (!values.TryGetValue(row.Keyword, out var lines) || !lines.Any(row.Matters))
                continue;
            findings.Add(row.Verdict == UnenforcedVerdict.Refuse
                ? (row.Verdict, $"{row.Keyword} is not supported yet by Lucid: {row.Why}; not connecting")
                : (row.Verdict, $"{row.Keyword} is not supported yet by Lucid: {row.Why}"));
        }
        return [.. findings.OrderByDescending(f => f.Item1)];
    }

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
