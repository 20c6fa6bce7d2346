namespace Lucid.Ssh.OpenSsh;

/// <summary>How a keyword's arguments are parsed and how repeated lines combine (servconf.c's cases).</summary>
internal enum SshdKeywordKind
{
    Flag, Choice, Int, Time, Port, ListenAddress, HostKey, HostCertificate, Filename, Word, RestOfLine,
    Algorithms, UserPatterns, GroupPatterns, AuthorizedKeysFiles, AcceptEnv, SetEnv, Subsystem, MaxStartups,
    PerSourceMaxStartups, PerSourceNetBlockSize, LogLevel, LogFacility, AuthenticationMethods, PermitOpen,
    PermitUserEnvironment, RekeyLimit, QosPair, Octal, PubkeyAuthOptions, LogVerbose, ChannelTimeout,
    UnusedConnectionTimeout, FingerprintHash, PermitTunnel, Include, Match, Deprecated, Unsupported, Ignore,
    NotOnLinux, PerSourcePenalties, PenaltyExemptList,
}

/// <summary>One sshd_config keyword: its canonical (dump) name, parse kind, whether Match blocks may set it.</summary>
internal sealed record SshdKeyword(string Name, string Canonical, SshdKeywordKind Kind, bool InMatch, string[]? Choices = null);

/// <summary>The keyword table of OpenSSH 9.2's sshd (servconf.c), aliases included.</summary>
internal static class SshdConfigKeywords
{
    private static readonly string[] YesNo = ["yes", "no"];

    // Multistate values in OpenSSH's order; the dump prints the first spelling of a value, so aliases
    // that share a value are written as pairs "alias=canonical".
    internal static readonly string[] PermitRootLogin = ["without-password", "prohibit-password=without-password", "forced-commands-only", "yes", "no"];
    internal static readonly string[] AddressFamily = ["inet", "inet6", "any"];
    internal static readonly string[] Compression = ["yes", "delayed=yes", "no"];
    internal static readonly string[] GatewayPorts = ["clientspecified", "yes", "no"];
    internal static readonly string[] TcpForwarding = ["yes", "all=yes", "no", "remote", "local"];
    internal static readonly string[] IgnoreRhosts = ["yes", "no", "shosts-only"];

    private static readonly SshdKeyword[] Table =
    [
        K("usepam", SshdKeywordKind.Flag, false),
        // Debian's sshd adds DebianBanner; accepted so Debian's stock files load.
        K("debianbanner", SshdKeywordKind.Ignore, false),
        K("pamauthenticationviakbdint", SshdKeywordKind.Deprecated, false),
        K("port", SshdKeywordKind.Port, false),
        K("hostkey", SshdKeywordKind.HostKey, false),
        A("hostdsakey", "hostkey", SshdKeywordKind.HostKey, false),
        K("hostkeyagent", SshdKeywordKind.Word, false),
        K("pidfile", SshdKeywordKind.Filename, false),
        K("modulifile", SshdKeywordKind.Filename, false),
        K("serverkeybits", SshdKeywordKind.Deprecated, false),
        K("logingracetime", SshdKeywordKind.Time, false),
        K("keyregenerationinterval", SshdKeywordKind.Deprecated, false),
        K("permitrootlogin", SshdKeywordKind.Choice, true, PermitRootLogin),
        K("syslogfacility", SshdKeywordKind.LogFacility, false),
        K("loglevel", SshdKeywordKind.LogLevel, true),
        K("logverbose", SshdKeywordKind.LogVerbose, true),
        K("rhostsauthentication", SshdKeywordKind.Deprecated, false),
        K("rhostsrsaauthentication", SshdKeywordKind.Deprecated, true),
        K("hostbasedauthentication", SshdKeywordKind.Flag, true),
        K("hostbasedusesnamefrompacketonly", SshdKeywordKind.Flag, true),
        K("hostbasedacceptedalgorithms", SshdKeywordKind.Algorithms, true),
        A("hostbasedacceptedkeytypes", "hostbasedacceptedalgorithms", SshdKeywordKind.Algorithms, true),
        K("hostkeyalgorithms", SshdKeywordKind.Algorithms, false),
        K("rsaauthentication", SshdKeywordKind.Deprecated, true),
        K("pubkeyauthentication", SshdKeywordKind.Flag, true),
        K("pubkeyacceptedalgorithms", SshdKeywordKind.Algorithms, true),
        A("pubkeyacceptedkeytypes", "pubkeyacceptedalgorithms", SshdKeywordKind.Algorithms, true),
        K("pubkeyauthoptions", SshdKeywordKind.PubkeyAuthOptions, true),
        A("dsaauthentication", "pubkeyauthentication", SshdKeywordKind.Flag, false),
        // Kerberos and GSSAPI are accepted silently (as Debian's sshd does) and ignored: Lucid has neither.
        K("kerberosauthentication", SshdKeywordKind.Ignore, true),
        K("kerberosorlocalpasswd", SshdKeywordKind.Ignore, false),
        K("kerberosticketcleanup", SshdKeywordKind.Ignore, false),
        K("kerberosgetafstoken", SshdKeywordKind.Ignore, false),
        K("kerberostgtpassing", SshdKeywordKind.Unsupported, false),
        K("afstokenpassing", SshdKeywordKind.Unsupported, false),
        K("gssapiauthentication", SshdKeywordKind.Ignore, true),
        K("gssapicleanupcredentials", SshdKeywordKind.Ignore, false),
        K("gssapistrictacceptorcheck", SshdKeywordKind.Ignore, false),
        K("gssapikeyexchange", SshdKeywordKind.Ignore, false),
        K("gssapistorecredentialsonrekey", SshdKeywordKind.Ignore, false),
        K("gssapikexalgorithms", SshdKeywordKind.Ignore, false),
        K("passwordauthentication", SshdKeywordKind.Flag, true),
        K("kbdinteractiveauthentication", SshdKeywordKind.Flag, true),
        A("challengeresponseauthentication", "kbdinteractiveauthentication", SshdKeywordKind.Flag, true),
        A("skeyauthentication", "kbdinteractiveauthentication", SshdKeywordKind.Flag, true),
        K("checkmail", SshdKeywordKind.Deprecated, false),
        K("listenaddress", SshdKeywordKind.ListenAddress, false),
        K("addressfamily", SshdKeywordKind.Choice, false, AddressFamily),
        K("printmotd", SshdKeywordKind.Flag, false),
        K("printlastlog", SshdKeywordKind.Flag, false),
        K("ignorerhosts", SshdKeywordKind.Choice, true, IgnoreRhosts),
        K("ignoreuserknownhosts", SshdKeywordKind.Flag, false),
        K("x11forwarding", SshdKeywordKind.Flag, true),
        K("x11displayoffset", SshdKeywordKind.Int, true),
        K("x11uselocalhost", SshdKeywordKind.Flag, true),
        K("xauthlocation", SshdKeywordKind.Filename, false),
        K("strictmodes", SshdKeywordKind.Flag, false),
        K("permitemptypasswords", SshdKeywordKind.Flag, true),
        K("permituserenvironment", SshdKeywordKind.PermitUserEnvironment, false),
        K("uselogin", SshdKeywordKind.Deprecated, false),
        K("compression", SshdKeywordKind.Choice, false, Compression),
        K("rekeylimit", SshdKeywordKind.RekeyLimit, true),
        K("tcpkeepalive", SshdKeywordKind.Flag, false),
        A("keepalive", "tcpkeepalive", SshdKeywordKind.Flag, false),
        K("allowtcpforwarding", SshdKeywordKind.Choice, true, TcpForwarding),
        K("allowagentforwarding", SshdKeywordKind.Flag, true),
        K("allowusers", SshdKeywordKind.UserPatterns, true),
        K("denyusers", SshdKeywordKind.UserPatterns, true),
        K("allowgroups", SshdKeywordKind.GroupPatterns, true),
        K("denygroups", SshdKeywordKind.GroupPatterns, true),
        K("ciphers", SshdKeywordKind.Algorithms, false),
        K("macs", SshdKeywordKind.Algorithms, false),
        K("protocol", SshdKeywordKind.Ignore, false),
        K("gatewayports", SshdKeywordKind.Choice, true, GatewayPorts),
        K("subsystem", SshdKeywordKind.Subsystem, false),
        K("maxstartups", SshdKeywordKind.MaxStartups, false),
        K("persourcemaxstartups", SshdKeywordKind.PerSourceMaxStartups, false),
        K("persourcenetblocksize", SshdKeywordKind.PerSourceNetBlockSize, false),
        K("maxauthtries", SshdKeywordKind.Int, true),
        K("maxsessions", SshdKeywordKind.Int, true),
        K("banner", SshdKeywordKind.Filename, true),
        K("usedns", SshdKeywordKind.Flag, false),
        K("verifyreversemapping", SshdKeywordKind.Deprecated, false),
        K("reversemappingcheck", SshdKeywordKind.Deprecated, false),
        K("clientaliveinterval", SshdKeywordKind.Time, true),
        K("clientalivecountmax", SshdKeywordKind.Int, true),
        K("authorizedkeysfile", SshdKeywordKind.AuthorizedKeysFiles, true),
        K("authorizedkeysfile2", SshdKeywordKind.Deprecated, true),
        K("useprivilegeseparation", SshdKeywordKind.Deprecated, false),
        K("acceptenv", SshdKeywordKind.AcceptEnv, true),
        K("setenv", SshdKeywordKind.SetEnv, true),
        K("permittunnel", SshdKeywordKind.PermitTunnel, true),
        K("permittty", SshdKeywordKind.Flag, true),
        K("permituserrc", SshdKeywordKind.Flag, true),
        K("match", SshdKeywordKind.Match, true),
        K("permitopen", SshdKeywordKind.PermitOpen, true),
        K("permitlisten", SshdKeywordKind.PermitOpen, true),
        K("forcecommand", SshdKeywordKind.RestOfLine, true),
        K("chrootdirectory", SshdKeywordKind.Word, true),
        K("hostcertificate", SshdKeywordKind.HostCertificate, false),
        K("revokedkeys", SshdKeywordKind.Filename, true),
        K("trustedusercakeys", SshdKeywordKind.Filename, true),
        K("authorizedprincipalsfile", SshdKeywordKind.Word, true),
        K("kexalgorithms", SshdKeywordKind.Algorithms, false),
        K("include", SshdKeywordKind.Include, true),
        K("ipqos", SshdKeywordKind.QosPair, true),
        K("authorizedkeyscommand", SshdKeywordKind.RestOfLine, true),
        K("authorizedkeyscommanduser", SshdKeywordKind.Word, true),
        K("authorizedprincipalscommand", SshdKeywordKind.RestOfLine, true),
        K("authorizedprincipalscommanduser", SshdKeywordKind.Word, true),
        K("versionaddendum", SshdKeywordKind.RestOfLine, false),
        K("authenticationmethods", SshdKeywordKind.AuthenticationMethods, true),
        K("streamlocalbindmask", SshdKeywordKind.Octal, true),
        K("streamlocalbindunlink", SshdKeywordKind.Flag, true),
        K("allowstreamlocalforwarding", SshdKeywordKind.Choice, true, TcpForwarding),
        K("fingerprinthash", SshdKeywordKind.FingerprintHash, false),
        K("disableforwarding", SshdKeywordKind.Flag, true),
        K("exposeauthinfo", SshdKeywordKind.Flag, true),
        K("rdomain", SshdKeywordKind.NotOnLinux, true),
        K("casignaturealgorithms", SshdKeywordKind.Algorithms, true),
        K("securitykeyprovider", SshdKeywordKind.Word, false),
        K("requiredrsasize", SshdKeywordKind.Int, true),
        K("channeltimeout", SshdKeywordKind.ChannelTimeout, true),
        K("unusedconnectiontimeout", SshdKeywordKind.UnusedConnectionTimeout, true),
        // New in OpenSSH 10.
        K("persourcepenalties", SshdKeywordKind.PerSourcePenalties, false),
        K("persourcepenaltyexemptlist", SshdKeywordKind.PenaltyExemptList, false),
        K("refuseconnection", SshdKeywordKind.Flag, true),
    ];

    private static readonly Dictionary<string, SshdKeyword> ByName =
        Table.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    public static SshdKeyword? Find(string keyword) => ByName.GetValueOrDefault(keyword);

    /// <summary>The canonical spelling of a Choice value, or null when the value is not allowed.</summary>
    public static string? Choose(string[] choices, string value)
    {
        foreach (var choice in choices)
        {
            var eq = choice.IndexOf('=');
            var spelling = eq < 0 ? choice : choice[..eq];
            if (string.Equals(spelling, value, StringComparison.OrdinalIgnoreCase))
                return eq < 0 ? choice : choice[(eq + 1)..];
        }
        return null;
    }

    private static SshdKeyword K(string name, SshdKeywordKind kind, bool inMatch, string[]? choices = null) =>
        new(name, name, kind, inMatch, kind == SshdKeywordKind.Flag ? YesNo : choices);

    private static SshdKeyword A(string name, string canonical, SshdKeywordKind kind, bool inMatch) =>
        new(name, canonical, kind, inMatch, kind == SshdKeywordKind.Flag ? YesNo : null);
}
