using System.Collections.Frozen;

namespace Lucid.Ssh.OpenSsh;

/// <summary>Every keyword ssh_config(5) knows (OpenSSH 9.2 as Debian builds it, GSSAPI key exchange included).</summary>
internal enum SshConfigKeyword
{
    Bad, Host, Match, Include,
    ForwardAgent, ForwardX11, ForwardX11Trusted, ForwardX11Timeout, GatewayPorts, ExitOnForwardFailure,
    PasswordAuthentication, XAuthLocation, IdentityFile, HostName, Port, RemoteForward, LocalForward,
    PermitRemoteOpen, CertificateFile, AddKeysToAgent, IdentityAgent, User, EscapeChar, ProxyCommand,
    GlobalKnownHostsFile, UserKnownHostsFile, ConnectionAttempts, BatchMode, CheckHostIp, StrictHostKeyChecking,
    Compression, TcpKeepAlive, NumberOfPasswordPrompts, SyslogFacility, LogLevel, LogVerbose, Ciphers, Macs,
    PubkeyAuthentication, KbdInteractiveAuthentication, KbdInteractiveDevices, HostKeyAlias, DynamicForward,
    PreferredAuthentications, HostbasedAuthentication, HostKeyAlgorithms, BindAddress, BindInterface,
    Pkcs11Provider, ClearAllForwardings, NoHostAuthenticationForLocalhost, EnableSshKeysign, RekeyLimit,
    VerifyHostKeyDns, ConnectTimeout, AddressFamily, GssAuthentication, GssDelegateCredentials,
    GssKeyExchange, GssClientIdentity, GssServerIdentity, GssRenewalForcesRekey, GssTrustDns, GssKexAlgorithms,
    ServerAliveInterval, ServerAliveCountMax, IdentitiesOnly, SendEnv, SetEnv, ControlPath, ControlMaster,
    ControlPersist, HashKnownHosts, Tunnel, TunnelDevice, LocalCommand, PermitLocalCommand, RemoteCommand,
    VisualHostKey, KexAlgorithms, IpQos, RequestTty, SessionType, StdinNull, ForkAfterAuthentication,
    IgnoreUnknown, ProxyUseFdPass, CanonicalDomains, CanonicalizeHostname, CanonicalizeMaxDots,
    CanonicalizeFallbackLocal, CanonicalizePermittedCnames, StreamLocalBindMask, StreamLocalBindUnlink,
    RevokedHostKeys, FingerprintHash, UpdateHostKeys, HostbasedAcceptedAlgorithms, PubkeyAcceptedAlgorithms,
    CaSignatureAlgorithms, ProxyJump, SecurityKeyProvider, KnownHostsCommand, RequiredRsaSize,
    EnableEscapeCommandline, WarnWeakCrypto,
    // New in OpenSSH 10.
    Tag, VersionAddendum, ObscureKeystrokeTiming, ChannelTimeout, RefuseConnection,
    Ignore, IgnoredUnknown, Deprecated, Unsupported,
}

/// <summary>Keyword names (lowercase, as OpenSSH compares them) and the value words each multi-state option accepts.</summary>
internal static class SshConfigKeywords
{
    private static readonly FrozenDictionary<string, SshConfigKeyword> Table = new Dictionary<string, SshConfigKeyword>
    {
        ["protocol"] = SshConfigKeyword.Ignore,
        ["cipher"] = SshConfigKeyword.Deprecated,
        ["fallbacktorsh"] = SshConfigKeyword.Deprecated,
        ["globalknownhostsfile2"] = SshConfigKeyword.Deprecated,
        ["rhostsauthentication"] = SshConfigKeyword.Deprecated,
        ["userknownhostsfile2"] = SshConfigKeyword.Deprecated,
        ["useroaming"] = SshConfigKeyword.Deprecated,
        ["usersh"] = SshConfigKeyword.Deprecated,
        ["useprivilegedport"] = SshConfigKeyword.Deprecated,
        ["afstokenpassing"] = SshConfigKeyword.Unsupported,
        ["kerberosauthentication"] = SshConfigKeyword.Unsupported,
        ["kerberostgtpassing"] = SshConfigKeyword.Unsupported,
        ["rsaauthentication"] = SshConfigKeyword.Unsupported,
        ["rhostsrsaauthentication"] = SshConfigKeyword.Unsupported,
        ["compressionlevel"] = SshConfigKeyword.Unsupported,
        ["gssapiauthentication"] = SshConfigKeyword.GssAuthentication,
        ["gssapidelegatecredentials"] = SshConfigKeyword.GssDelegateCredentials,
        ["gssapikeyexchange"] = SshConfigKeyword.GssKeyExchange,
        ["gssapiclientidentity"] = SshConfigKeyword.GssClientIdentity,
        ["gssapiserveridentity"] = SshConfigKeyword.GssServerIdentity,
        ["gssapirenewalforcesrekey"] = SshConfigKeyword.GssRenewalForcesRekey,
        ["gssapitrustdns"] = SshConfigKeyword.GssTrustDns,
        ["gssapikexalgorithms"] = SshConfigKeyword.GssKexAlgorithms,
        ["pkcs11provider"] = SshConfigKeyword.Pkcs11Provider,
        ["smartcarddevice"] = SshConfigKeyword.Pkcs11Provider,
        ["forwardagent"] = SshConfigKeyword.ForwardAgent,
        ["forwardx11"] = SshConfigKeyword.ForwardX11,
        ["forwardx11trusted"] = SshConfigKeyword.ForwardX11Trusted,
        ["forwardx11timeout"] = SshConfigKeyword.ForwardX11Timeout,
        ["exitonforwardfailure"] = SshConfigKeyword.ExitOnForwardFailure,
        ["xauthlocation"] = SshConfigKeyword.XAuthLocation,
        ["gatewayports"] = SshConfigKeyword.GatewayPorts,
        ["passwordauthentication"] = SshConfigKeyword.PasswordAuthentication,
        ["kbdinteractiveauthentication"] = SshConfigKeyword.KbdInteractiveAuthentication,
        ["kbdinteractivedevices"] = SshConfigKeyword.KbdInteractiveDevices,
        ["challengeresponseauthentication"] = SshConfigKeyword.KbdInteractiveAuthentication,
        ["skeyauthentication"] = SshConfigKeyword.KbdInteractiveAuthentication,
        ["tisauthentication"] = SshConfigKeyword.KbdInteractiveAuthentication,
        ["pubkeyauthentication"] = SshConfigKeyword.PubkeyAuthentication,
        ["dsaauthentication"] = SshConfigKeyword.PubkeyAuthentication,
        ["hostbasedauthentication"] = SshConfigKeyword.HostbasedAuthentication,
        ["identityfile"] = SshConfigKeyword.IdentityFile,
        ["identityfile2"] = SshConfigKeyword.IdentityFile,
        ["identitiesonly"] = SshConfigKeyword.IdentitiesOnly,
        ["certificatefile"] = SshConfigKeyword.CertificateFile,
        ["addkeystoagent"] = SshConfigKeyword.AddKeysToAgent,
        ["identityagent"] = SshConfigKeyword.IdentityAgent,
        ["hostname"] = SshConfigKeyword.HostName,
        ["hostkeyalias"] = SshConfigKeyword.HostKeyAlias,
        ["proxycommand"] = SshConfigKeyword.ProxyCommand,
        ["port"] = SshConfigKeyword.Port,
        ["ciphers"] = SshConfigKeyword.Ciphers,
        ["macs"] = SshConfigKeyword.Macs,
        ["remoteforward"] = SshConfigKeyword.RemoteForward,
        ["localforward"] = SshConfigKeyword.LocalForward,
        ["permitremoteopen"] = SshConfigKeyword.PermitRemoteOpen,
        ["user"] = SshConfigKeyword.User,
        ["host"] = SshConfigKeyword.Host,
        ["match"] = SshConfigKeyword.Match,
        ["escapechar"] = SshConfigKeyword.EscapeChar,
        ["globalknownhostsfile"] = SshConfigKeyword.GlobalKnownHostsFile,
        ["userknownhostsfile"] = SshConfigKeyword.UserKnownHostsFile,
        ["connectionattempts"] = SshConfigKeyword.ConnectionAttempts,
        ["batchmode"] = SshConfigKeyword.BatchMode,
        ["checkhostip"] = SshConfigKeyword.CheckHostIp,
        ["stricthostkeychecking"] = SshConfigKeyword.StrictHostKeyChecking,
        ["compression"] = SshConfigKeyword.Compression,
        ["tcpkeepalive"] = SshConfigKeyword.TcpKeepAlive,
        ["keepalive"] = SshConfigKeyword.TcpKeepAlive,
        ["numberofpasswordprompts"] = SshConfigKeyword.NumberOfPasswordPrompts,
        ["syslogfacility"] = SshConfigKeyword.SyslogFacility,
        ["loglevel"] = SshConfigKeyword.LogLevel,
        ["logverbose"] = SshConfigKeyword.LogVerbose,
        ["dynamicforward"] = SshConfigKeyword.DynamicForward,
        ["preferredauthentications"] = SshConfigKeyword.PreferredAuthentications,
        ["hostkeyalgorithms"] = SshConfigKeyword.HostKeyAlgorithms,
        ["casignaturealgorithms"] = SshConfigKeyword.CaSignatureAlgorithms,
        ["bindaddress"] = SshConfigKeyword.BindAddress,
        ["bindinterface"] = SshConfigKeyword.BindInterface,
        ["clearallforwardings"] = SshConfigKeyword.ClearAllForwardings,
        ["enablesshkeysign"] = SshConfigKeyword.EnableSshKeysign,
        ["verifyhostkeydns"] = SshConfigKeyword.VerifyHostKeyDns,
        ["nohostauthenticationforlocalhost"] = SshConfigKeyword.NoHostAuthenticationForLocalhost,
        ["rekeylimit"] = SshConfigKeyword.RekeyLimit,
        ["connecttimeout"] = SshConfigKeyword.ConnectTimeout,
        ["addressfamily"] = SshConfigKeyword.AddressFamily,
        ["serveraliveinterval"] = SshConfigKeyword.ServerAliveInterval,
        ["serveralivecountmax"] = SshConfigKeyword.ServerAliveCountMax,
        // Debian's keepalive patch keeps these two old names as aliases.
        ["protocolkeepalives"] = SshConfigKeyword.ServerAliveInterval,
        ["setuptimeout"] = SshConfigKeyword.ServerAliveInterval,
        ["sendenv"] = SshConfigKeyword.SendEnv,
        ["setenv"] = SshConfigKeyword.SetEnv,
        ["controlpath"] = SshConfigKeyword.ControlPath,
        ["controlmaster"] = SshConfigKeyword.ControlMaster,
        ["controlpersist"] = SshConfigKeyword.ControlPersist,
        ["hashknownhosts"] = SshConfigKeyword.HashKnownHosts,
        ["include"] = SshConfigKeyword.Include,
        ["tunnel"] = SshConfigKeyword.Tunnel,
        ["tunneldevice"] = SshConfigKeyword.TunnelDevice,
        ["localcommand"] = SshConfigKeyword.LocalCommand,
        ["permitlocalcommand"] = SshConfigKeyword.PermitLocalCommand,
        ["remotecommand"] = SshConfigKeyword.RemoteCommand,
        ["visualhostkey"] = SshConfigKeyword.VisualHostKey,
        ["kexalgorithms"] = SshConfigKeyword.KexAlgorithms,
        ["ipqos"] = SshConfigKeyword.IpQos,
        ["requesttty"] = SshConfigKeyword.RequestTty,
        ["sessiontype"] = SshConfigKeyword.SessionType,
        ["stdinnull"] = SshConfigKeyword.StdinNull,
        ["forkafterauthentication"] = SshConfigKeyword.ForkAfterAuthentication,
        ["proxyusefdpass"] = SshConfigKeyword.ProxyUseFdPass,
        ["canonicaldomains"] = SshConfigKeyword.CanonicalDomains,
        ["canonicalizefallbacklocal"] = SshConfigKeyword.CanonicalizeFallbackLocal,
        ["canonicalizehostname"] = SshConfigKeyword.CanonicalizeHostname,
        ["canonicalizemaxdots"] = SshConfigKeyword.CanonicalizeMaxDots,
        ["canonicalizepermittedcnames"] = SshConfigKeyword.CanonicalizePermittedCnames,
        ["streamlocalbindmask"] = SshConfigKeyword.StreamLocalBindMask,
        ["streamlocalbindunlink"] = SshConfigKeyword.StreamLocalBindUnlink,
        ["revokedhostkeys"] = SshConfigKeyword.RevokedHostKeys,
        ["fingerprinthash"] = SshConfigKeyword.FingerprintHash,
        ["updatehostkeys"] = SshConfigKeyword.UpdateHostKeys,
        ["hostbasedacceptedalgorithms"] = SshConfigKeyword.HostbasedAcceptedAlgorithms,
        ["hostbasedkeytypes"] = SshConfigKeyword.HostbasedAcceptedAlgorithms,
        ["pubkeyacceptedalgorithms"] = SshConfigKeyword.PubkeyAcceptedAlgorithms,
        ["pubkeyacceptedkeytypes"] = SshConfigKeyword.PubkeyAcceptedAlgorithms,
        ["ignoreunknown"] = SshConfigKeyword.IgnoreUnknown,
        ["proxyjump"] = SshConfigKeyword.ProxyJump,
        ["securitykeyprovider"] = SshConfigKeyword.SecurityKeyProvider,
        ["knownhostscommand"] = SshConfigKeyword.KnownHostsCommand,
        ["requiredrsasize"] = SshConfigKeyword.RequiredRsaSize,
        ["enableescapecommandline"] = SshConfigKeyword.EnableEscapeCommandline,
        ["warnweakcrypto"] = SshConfigKeyword.WarnWeakCrypto, // OpenSSH 10.1
        ["tag"] = SshConfigKeyword.Tag,
        ["versionaddendum"] = SshConfigKeyword.VersionAddendum,
        ["obscurekeystroketiming"] = SshConfigKeyword.ObscureKeystrokeTiming,
        ["channeltimeout"] = SshConfigKeyword.ChannelTimeout,
        ["refuseconnection"] = SshConfigKeyword.RefuseConnection,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The keyword for a lowercased name, or <see cref="SshConfigKeyword.Bad"/>.</summary>
    public static SshConfigKeyword Lookup(string lowercaseName) =>
        Table.TryGetValue(lowercaseName, out var keyword) ? keyword : SshConfigKeyword.Bad;

    // Value words per option; the first word listed for a value is the one `ssh -G` prints.
    public static readonly (string Word, int Value)[] Flag = [("true", 1), ("false", 0), ("yes", 1), ("no", 0)];
    public static readonly (string Word, int Value)[] YesNoAsk = [.. Flag, ("ask", 2)];
    public static readonly (string Word, int Value)[] YesNoAskConfirm = [.. YesNoAsk, ("confirm", 3)];
    public const int StrictYes = 2, StrictOff = 0, StrictAsk = 3, StrictNew = 1;
    public static readonly (string Word, int Value)[] StrictHostKey =
        [("true", StrictYes), ("false", StrictOff), ("yes", StrictYes), ("no", StrictOff), ("ask", StrictAsk), ("off", StrictOff), ("accept-new", StrictNew)];
    public const int AfUnspec = 0, AfInet = 2, AfInet6 = 10;
    public static readonly (string Word, int Value)[] AddressFamily = [("inet", AfInet), ("inet6", AfInet6), ("any", AfUnspec)];
    public static readonly (string Word, int Value)[] ControlMaster =
        [("true", 1), ("yes", 1), ("false", 0), ("no", 0), ("auto", 2), ("ask", 3), ("autoask", 4)];
    public const int TunnelNo = 0, TunnelPointToPoint = 1, TunnelEthernet = 2;
    public static readonly (string Word, int Value)[] Tunnel =
        [("ethernet", TunnelEthernet), ("point-to-point", TunnelPointToPoint), ("true", TunnelPointToPoint), ("yes", TunnelPointToPoint), ("false", TunnelNo), ("no", TunnelNo)];
    public const int TtyNo = 0, TtyYes = 1, TtyForce = 2, TtyAuto = 3;
    public static readonly (string Word, int Value)[] RequestTty =
        [("true", TtyYes), ("yes", TtyYes), ("false", TtyNo), ("no", TtyNo), ("force", TtyForce), ("auto", TtyAuto)];
    public const int SessionNone = 0, SessionSubsystem = 1, SessionDefault = 2;
    public static readonly (string Word, int Value)[] SessionType =
        [("none", SessionNone), ("subsystem", SessionSubsystem), ("default", SessionDefault)];
    public const int CanonicalizeNo = 0, CanonicalizeYes = 1, CanonicalizeAlways = 2;
    public static readonly (string Word, int Value)[] CanonicalizeHostname =
        [("true", CanonicalizeYes), ("false", CanonicalizeNo), ("yes", CanonicalizeYes), ("no", CanonicalizeNo), ("always", CanonicalizeAlways)];
    public const int PubkeyNo = 0, PubkeyUnbound = 1, PubkeyHostBound = 2, PubkeyAll = 3;
    public static readonly (string Word, int Value)[] PubkeyAuthentication =
        [("true", PubkeyAll), ("false", PubkeyNo), ("yes", PubkeyAll), ("no", PubkeyNo), ("unbound", PubkeyUnbound), ("host-bound", PubkeyHostBound)];
    public static readonly (string Word, int Value)[] Compression = [("yes", 1), ("no", 0)];
    // OpenSSH 10: "no-pq-kex" turns off the one warning there is so far (a connection without post-quantum key exchange).
    public static readonly (string Word, int Value)[] WarnWeakCrypto = [.. Flag, ("no-pq-kex", 0)];

    /// <summary>Case-insensitive lookup of a value word; -1 when the word is not one of them.</summary>
    public static int ParseWord(string? word, (string Word, int Value)[] table)
    {
        if (word is null)
            return -1;
        foreach (var (w, v) in table)
            if (string.Equals(w, word, StringComparison.OrdinalIgnoreCase))
                return v;
        return -1;
    }

    /// <summary>The word `ssh -G` prints for a value: the first one listed with it.</summary>
    public static string FormatWord(int value, (string Word, int Value)[] table)
    {
        foreach (var (w, v) in table)
            if (v == value)
                return w;
        return "UNKNOWN";
    }
}
