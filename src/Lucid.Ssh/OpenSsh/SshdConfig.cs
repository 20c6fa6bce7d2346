using System.Globalization;
using System.Net;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// An effective sshd configuration: what the files (and `-o` options) set, with OpenSSH's defaults for
/// the rest. <see cref="Load"/> reads the global configuration; <see cref="ForConnection"/> applies the
/// Match blocks for one connection, as sshd does once it knows the user.
/// </summary>
public sealed class SshdConfig
{
    private readonly SshdConfigStore _store;
    private readonly SshdConfigSource _source;

    private SshdConfig(SshdConfigStore store, SshdConfigSource source)
    {
        _store = store;
        _source = source;
    }

    /// <summary>Messages sshd logs while reading (deprecated or unsupported options), in order.</summary>
    public IReadOnlyList<string> Warnings => _source.Warnings;

    /// <summary>The file read (or "none" when the configuration is built only from options).</summary>
    public string FileName => _source.File;

    /// <summary>
    /// Reads <paramref name="path"/> (null: no file) after the command-line options: `-o` lines in
    /// <paramref name="options"/>, ports from `-p`, host keys from `-h`. Throws <see cref="SshdConfigException"/>.
    /// </summary>
    public static SshdConfig Load(string? path, IEnumerable<string>? options = null, IEnumerable<int>? ports = null,
        IEnumerable<string>? hostKeys = null, string includeBase = "/etc/ssh")
    {
        var lines = path is null ? [] : SshdConfigParser.ReadLines(path);
        return Build(path ?? "none", lines, options, ports, hostKeys, includeBase);
    }

    /// <summary>Parses configuration text as if it were the file <paramref name="fileName"/>.</summary>
    public static SshdConfig Parse(string text, string fileName = "sshd_config", IEnumerable<string>? options = null) =>
        Build(fileName, text.Split('\n'), options, null, null, "/etc/ssh");

    private static SshdConfig Build(string file, string[] lines, IEnumerable<string>? options, IEnumerable<int>? ports,
        IEnumerable<string>? hostKeys, string includeBase)
    {
        var source = new SshdConfigSource(file, lines, includeBase);
        var parser = source.NewParser();
        var store = new SshdConfigStore();
        foreach (var port in ports ?? [])
        {
            store.Append("port", port.ToString(CultureInfo.InvariantCulture));
            store.Replace("port-from-cmdline", "yes");
        }
        foreach (var key in hostKeys ?? [])
            store.Append("hostkey", SshdConfigValues.Derelativise(key));
        try
        {
            foreach (var option in options ?? [])
                parser.ParseCommandLine(store, option);
            parser.ParseGlobal(store, file, lines);
            CheckAuthenticationMethods(store, source);
        }
        catch (SshdConfigException e)
        {
            // sshd prints each problem as it meets it and then stops; the exception carries all of them.
            throw new SshdConfigException(string.Join('\n', source.Warnings.Append(e.Message)), e.ExitCode);
        }
        source.Loaded = true;
        return new SshdConfig(store, source);
    }

    /// <summary>sshd refuses to start when no AuthenticationMethods list can be met by the enabled methods.</summary>
    private static void CheckAuthenticationMethods(SshdConfigStore store, SshdConfigSource source)
    {
        var lists = store.Get("authenticationmethods");
        if (lists is null || lists.Count == 0 || lists[0] == "any")
            return;
        var probe = new SshdConfig(store, source);
        foreach (var list in lists)
        {
            var disabled = list.Split(',').Select(m => m.Split(':')[0]).FirstOrDefault(m => !probe.MethodEnabled(m));
            if (disabled is null)
                return;
            source.Report($"Disabled method \"{disabled}\" in AuthenticationMethods list \"{list}\"");
        }
        throw new SshdConfigException("AuthenticationMethods cannot be satisfied by enabled authentication methods");
    }

    /// <summary>Whether an authentication method is switched on (auth2.c authmethods[].enabled).</summary>
    public bool MethodEnabled(string method) => method switch
    {
        "none" => true,
        "publickey" => PubkeyAuthentication,
        "password" => PasswordAuthentication,
        "keyboard-interactive" => KbdInteractiveAuthentication,
        "hostbased" => Flag("hostbasedauthentication", false),
        _ => false,
    };

    /// <summary>The configuration for one connection: the global settings with matching Match blocks applied.</summary>
    public SshdConfig ForConnection(SshdMatchContext context)
    {
        var matched = new SshdConfigStore();
        _source.NewParser().ParseMatches(matched, _source.File, _source.Lines, context);
        return new SshdConfig(_store.OverlaidWith(matched), _source);
    }

    // ---- typed view ------------------------------------------------------------------------------

    public IReadOnlyList<int> Ports =>
        _store.Get("port")?.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList() ?? [22];

    public string AddressFamily => Str("addressfamily", "any");

    /// <summary>ListenAddress entries as written (default: every address).</summary>
    public IReadOnlyList<SshdListenAddress> ListenAddresses =>
        _store.Get("listenaddress")?.Select(a => SshdListenAddress.Parse(a)!).ToList() ?? [new SshdListenAddress(null, 0)];

    /// <summary>The sockets to listen on, in sshd's order.</summary>
    public IReadOnlyList<IPEndPoint> ListenEndPoints =>
        ListenAddresses.SelectMany(a => a.Resolve(Ports, AddressFamily)).ToList();

    public IReadOnlyList<string> HostKeys =>
        _store.Get("hostkey") ?? ["/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key"];

    public IReadOnlyList<string> HostCertificates => _store.Get("hostcertificate") ?? [];

    /// <summary>yes, without-password (also written prohibit-password), forced-commands-only or no.</summary>
    public string PermitRootLogin => Str("permitrootlogin", "without-password");
    public bool UsePam => Flag("usepam", false);
    public bool PubkeyAuthentication => Flag("pubkeyauthentication", true);
    public bool PasswordAuthentication => Flag("passwordauthentication", true);
    public bool KbdInteractiveAuthentication => Flag("kbdinteractiveauthentication", true);
    public bool PermitEmptyPasswords => Flag("permitemptypasswords", false);
    public bool StrictModes => Flag("strictmodes", true);
    public bool PrintMotd => Flag("printmotd", true);
    public bool PermitTty => Flag("permittty", true);
    public bool PermitUserRc => Flag("permituserrc", true);
    public bool X11Forwarding => Flag("x11forwarding", false);
    public bool AllowAgentForwarding => Flag("allowagentforwarding", true);
    public bool DisableForwarding => Flag("disableforwarding", false);
    public bool UseDns => Flag("usedns", false);
    public bool TcpKeepAlive => Flag("tcpkeepalive", true);
    public bool ExposeAuthInfo => Flag("exposeauthinfo", false);
    public string AllowTcpForwarding => Str("allowtcpforwarding", "yes");
    public string AllowStreamLocalForwarding => Str("allowstreamlocalforwarding", "yes");
    public string GatewayPorts => Str("gatewayports", "no");
    public string PermitTunnel => Str("permittunnel", "no");
    public string PermitUserEnvironment => Str("permituserenvironment", "no");

    /// <summary>AuthenticationMethods as lists of methods to pass in turn; empty means any single method.</summary>
    public IReadOnlyList<IReadOnlyList<string>> AuthenticationMethods =>
        (_store.Get("authenticationmethods") ?? []).Where(m => m != "any").Select(m => (IReadOnlyList<string>)m.Split(',')).ToList();

    /// <summary>Patterns with %h %u %U %% tokens, relative ones from the user's home.</summary>
    public IReadOnlyList<string> AuthorizedKeysFiles => _store.Get("authorizedkeysfile") ?? [".ssh/authorized_keys", ".ssh/authorized_keys2"];
    /// <summary>RevokedKeys: a KRL or a list of public keys (null: none).</summary>
    public string? RevokedKeys => NoneIsNull(_store.GetOne("revokedkeys"));
    public string? AuthorizedKeysCommand => NoneIsNull(_store.GetOne("authorizedkeyscommand"));
    /// <summary>TrustedUserCAKeys: the file of CA keys whose user certificates are accepted (null: none).</summary>
    public string? TrustedUserCaKeys => NoneIsNull(_store.GetOne("trustedusercakeys"));
    /// <summary>AuthorizedPrincipalsFile: a pattern with %h %u %U %% tokens, relative ones from the user's home (null: none).</summary>
    public string? AuthorizedPrincipalsFile => NoneIsNull(_store.GetOne("authorizedprincipalsfile"));
    public IReadOnlyList<string> AllowUsers => _store.Get("allowusers") ?? [];
    public IReadOnlyList<string> DenyUsers => _store.Get("denyusers") ?? [];
    public IReadOnlyList<string> AllowGroups => _store.Get("allowgroups") ?? [];
    public IReadOnlyList<string> DenyGroups => _store.Get("denygroups") ?? [];

    public int MaxAuthTries => Int("maxauthtries", 6);
    public int MaxSessions => Int("maxsessions", 10);
    public TimeSpan LoginGraceTime => TimeSpan.FromSeconds(Int("logingracetime", 120));
    public TimeSpan ClientAliveInterval => TimeSpan.FromSeconds(Int("clientaliveinterval", 0));
    public int ClientAliveCountMax => Int("clientalivecountmax", 3);
    public int RequiredRsaSize => Int("requiredrsasize", 1024);

    /// <summary>MaxStartups start:rate:full (default 10:30:100).</summary>
    public (int Start, int Rate, int Full) MaxStartups
    {
        get
        {
            var p = Str("maxstartups", "10:30:100").Split(':').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            return (p[0], p[1], p[2]);
        }
    }

    public string? Banner => NoneIsNull(_store.GetOne("banner"));
    public string? ForceCommand => NoneIsNull(_store.GetOne("forcecommand"));
    public string? ChrootDirectory => NoneIsNull(_store.GetOne("chrootdirectory"));
    public string? VersionAddendum => string.IsNullOrEmpty(_store.GetOne("versionaddendum")) ? null : _store.GetOne("versionaddendum");
    public string PidFile => Str("pidfile", "/run/sshd.pid");
    public string LogLevel => Str("loglevel", "INFO");
    public string SyslogFacility => Str("syslogfacility", "AUTH");
    public string FingerprintHash => Str("fingerprinthash", "SHA256");

    /// <summary>Subsystem name → command line (program and arguments).</summary>
    public IReadOnlyDictionary<string, string> Subsystems =>
        (_store.Get("subsystem") ?? []).Select(s => s.Split(' ', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public IReadOnlyList<string> AcceptEnv => _store.Get("acceptenv") ?? [];
    /// <summary>NAME=value pairs, first definition of a name wins.</summary>
    public IReadOnlyList<string> SetEnv => _store.Get("setenv") ?? [];
    public IReadOnlyList<string> PermitOpen => _store.Get("permitopen") ?? ["any"];
    public IReadOnlyList<string> PermitListen => _store.Get("permitlisten") ?? ["any"];

    public IReadOnlyList<string> KexAlgorithms => Algorithms("kexalgorithms", SshdConfigAlgorithms.Category.Kex);
    public IReadOnlyList<string> Ciphers => Algorithms("ciphers", SshdConfigAlgorithms.Category.Cipher);
    public IReadOnlyList<string> Macs => Algorithms("macs", SshdConfigAlgorithms.Category.Mac);
    public IReadOnlyList<string> HostKeyAlgorithms => Algorithms("hostkeyalgorithms", SshdConfigAlgorithms.Category.HostKey);
    public IReadOnlyList<string> PubkeyAcceptedAlgorithms => Algorithms("pubkeyacceptedalgorithms", SshdConfigAlgorithms.Category.Key);
    public IReadOnlyList<string> CaSignatureAlgorithms => Algorithms("casignaturealgorithms", SshdConfigAlgorithms.Category.Signature);

    /// <summary>PerSourcePenalties (OpenSSH 10): on by default.</summary>
    public SshdPenaltySettings PerSourcePenalties => SshdPenaltySettings.From(this);
    /// <summary>PerSourcePenaltyExemptList: an address/CIDR pattern list, or null.</summary>
    public string? PerSourcePenaltyExemptList => NoneIsNull(_store.GetOne("persourcepenaltyexemptlist"));
    /// <summary>PerSourceNetBlockSize: the prefix lengths penalties and per-source limits group addresses by.</summary>
    public (int V4, int V6) PerSourceNetBlockSize
    {
        get
        {
            var p = Str("persourcenetblocksize", "32:128").Split(':');
            return (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture));
        }
    }
    /// <summary>RefuseConnection (OpenSSH 10): end the connection once Match blocks set it.</summary>
    public bool RefuseConnection => Flag("refuseconnection", false);

    /// <summary>The raw values a keyword was given (null when unset); for options not modelled above.</summary>
    public IReadOnlyList<string>? Raw(string keyword) => _store.Get(keyword.ToLowerInvariant());

    /// <summary>Writes the configuration the way `sshd -T` prints it.</summary>
    public void WriteEffective(TextWriter output) => SshdConfigDump.Write(this, output);

    internal IReadOnlyList<string> Algorithms(string keyword, SshdConfigAlgorithms.Category c) =>
        SshdConfigAlgorithms.Assemble(c, _store.GetOne(keyword));

    internal string Str(string keyword, string fallback) => _store.GetOne(keyword) ?? fallback;
    internal int Int(string keyword, int fallback) =>
        _store.GetOne(keyword) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    internal bool Flag(string keyword, bool fallback) => _store.GetOne(keyword) is { } v ? v == "yes" : fallback;
    internal IReadOnlyList<string>? Values(string keyword) => _store.Get(keyword);
    private static string? NoneIsNull(string? v) => v is null || v.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : v;
}
