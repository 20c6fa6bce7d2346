using System.Globalization;
using System.Text;
using W = Lucid.Ssh.OpenSsh.SshConfigKeywords;

namespace Lucid.Ssh.OpenSsh;

/// <summary>Writes the effective configuration exactly as OpenSSH 9.2's `ssh -G` does: same keywords, order and formats;
/// the options OpenSSH 10 added (ObscureKeystrokeTiming, Tag, VersionAddendum, ChannelTimeout) where and as 10.5 prints them.</summary>
internal static class SshConfigPrinter
{
    public static string Format(SshConfigState o, string host, string hostKeyAlgorithms)
    {
        var sb = new StringBuilder();
        void Line(string keyword, string value) => sb.Append(keyword).Append(' ').Append(value).Append('\n');
        void Str(string keyword, string? value)
        {
            if (value is not null)
                Line(keyword, value);
        }
        void Int(string keyword, long value) => Line(keyword, value.ToString(CultureInfo.InvariantCulture));
        void YesNo(string keyword, int value) => Line(keyword, value switch { -1 => "unset", 0 => "no", 1 => "yes", _ => "UNKNOWN" });
        void Word(string keyword, int value, (string, int)[] table) => Line(keyword, value == -1 ? "unset" : W.FormatWord(value, table));
        void OneLine(string keyword, IReadOnlyList<string> values) =>
            Line(keyword, values.Count == 0 ? "none" : string.Join(' ', values));

        Str("host", o.HostArg);
        Str("user", o.User);
        Str("hostname", host);
        Int("port", o.Port);

        Word("addressfamily", o.AddressFamily, W.AddressFamily);
        YesNo("batchmode", o.BatchMode);
        YesNo("canonicalizefallbacklocal", o.CanonicalizeFallbackLocal);
        Word("canonicalizehostname", o.CanonicalizeHostname, W.CanonicalizeHostname);
        YesNo("checkhostip", o.CheckHostIp);
        YesNo("compression", o.Compression);
        Word("controlmaster", o.ControlMaster, W.ControlMaster);
        YesNo("enablesshkeysign", o.EnableSshKeysign);
        YesNo("clearallforwardings", o.ClearForwardings);
        YesNo("exitonforwardfailure", o.ExitOnForwardFailure);
        Str("fingerprinthash", o.FingerprintHash);
        YesNo("forwardx11", o.ForwardX11);
        YesNo("forwardx11trusted", o.ForwardX11Trusted);
        YesNo("gatewayports", o.GatewayPorts);
        YesNo("gssapiauthentication", o.GssAuthentication);
        YesNo("gssapikeyexchange", o.GssKeyExchange);
        YesNo("gssapidelegatecredentials", o.GssDelegateCreds);
        YesNo("gssapitrustdns", o.GssTrustDns);
        YesNo("gssapirenewalforcesrekey", o.GssRenewalRekey);
        Str("gssapiclientidentity", o.GssClientIdentity);
        Str("gssapiserveridentity", o.GssServerIdentity);
        Str("gssapikexalgorithms", o.GssKexAlgorithms);
        YesNo("hashknownhosts", o.HashKnownHosts);
        YesNo("hostbasedauthentication", o.HostbasedAuthentication);
        YesNo("identitiesonly", o.IdentitiesOnly);
        YesNo("kbdinteractiveauthentication", o.KbdInteractiveAuthentication);
        YesNo("nohostauthenticationforlocalhost", o.NoHostAuthenticationForLocalhost);
        YesNo("passwordauthentication", o.PasswordAuthentication);
        YesNo("permitlocalcommand", o.PermitLocalCommand);
        YesNo("proxyusefdpass", o.ProxyUseFdPass);
        Word("pubkeyauthentication", o.PubkeyAuthentication, W.PubkeyAuthentication);
        Word("requesttty", o.RequestTty, W.RequestTty);
        Word("sessiontype", o.SessionType, W.SessionType);
        YesNo("stdinnull", o.StdinNull);
        YesNo("forkafterauthentication", o.ForkAfterAuthentication);
        YesNo("streamlocalbindunlink", o.StreamLocalBindUnlink);
        Word("stricthostkeychecking", o.StrictHostKeyChecking, W.StrictHostKey);
        YesNo("tcpkeepalive", o.TcpKeepAlive);
        Word("tunnel", o.TunnelMode, W.Tunnel);
        Word("verifyhostkeydns", o.VerifyHostKeyDns, W.YesNoAsk);
        YesNo("visualhostkey", o.VisualHostKey);
        Word("updatehostkeys", o.UpdateHostKeys, W.YesNoAsk);
        YesNo("enableescapecommandline", o.EnableEscapeCommandline);
        YesNo("warnweakcrypto", o.WarnWeakCrypto);

        Int("canonicalizemaxdots", o.CanonicalizeMaxDots);
        Int("connectionattempts", o.ConnectionAttempts);
        Int("forwardx11timeout", o.ForwardX11Timeout);
        Int("numberofpasswordprompts", o.NumberOfPasswordPrompts);
        Int("serveralivecountmax", o.ServerAliveCountMax);
        Int("serveraliveinterval", o.ServerAliveInterval);
        Int("requiredrsasize", o.RequiredRsaSize);
        Line("obscurekeystroketiming", o.ObscureKeystrokeTiming switch
        {
            0 => "no",
            SshConfigReader.KeystrokeIntervalDefault => "yes",
            var ms => ms.ToString(CultureInfo.InvariantCulture),
        });

        Str("bindaddress", o.BindAddress);
        Str("bindinterface", o.BindInterface);
        Str("ciphers", o.Ciphers);
        Str("controlpath", o.ControlPath);
        Str("hostkeyalgorithms", hostKeyAlgorithms);
        Str("hostkeyalias", o.HostKeyAlias);
        Str("hostbasedacceptedalgorithms", o.HostbasedAcceptedAlgorithms);
        Str("identityagent", o.IdentityAgent);
        Str("ignoreunknown", o.IgnoredUnknown);
        Str("kbdinteractivedevices", o.KbdInteractiveDevices);
        Str("kexalgorithms", o.KexAlgorithms);
        Str("casignaturealgorithms", o.CaSignatureAlgorithms);
        Str("localcommand", o.LocalCommand);
        Str("remotecommand", o.RemoteCommand);
        Str("loglevel", o.LogLevel);
        Str("macs", o.Macs);
        Str("pkcs11provider", o.Pkcs11Provider);
        Str("securitykeyprovider", o.SecurityKeyProvider);
        Str("preferredauthentications", o.PreferredAuthentications);
        Str("pubkeyacceptedalgorithms", o.PubkeyAcceptedAlgorithms);
        Str("revokedhostkeys", o.RevokedHostKeys);
        Str("xauthlocation", o.XAuthLocation);
        Str("knownhostscommand", o.KnownHostsCommand);
        Str("tag", o.Tag);
        Str("versionaddendum", o.VersionAddendum);

        Forwards(sb, "dynamicforward", o.LocalForwards);
        Forwards(sb, "localforward", o.LocalForwards);
        Forwards(sb, "remoteforward", o.RemoteForwards);

        foreach (var (path, _) in o.IdentityFiles)
            Line("identityfile", path);
        OneLine("canonicaldomains", o.CanonicalDomains);
        foreach (var (path, _) in o.CertificateFiles)
            Line("certificatefile", path);
        OneLine("globalknownhostsfile", o.SystemHostFiles);
        OneLine("userknownhostsfile", o.UserHostFiles);
        foreach (var e in o.SendEnv)
            Line("sendenv", e);
        foreach (var e in o.SetEnv)
            Line("setenv", e);
        OneLine("logverbose", o.LogVerbose);
        OneLine("channeltimeout", o.ChannelTimeouts);

        Line("permitremoteopen", o.PermittedRemoteOpens.Count == 0 ? "any" : string.Join(' ', o.PermittedRemoteOpens));

        if (o.AddKeysToAgentLifespan <= 0)
            Word("addkeystoagent", o.AddKeysToAgent, W.YesNoAskConfirm);
        else
            sb.Append("addkeystoagent").Append(o.AddKeysToAgent == 3 ? " confirm" : "").Append(' ')
              .Append(o.AddKeysToAgentLifespan.ToString(CultureInfo.InvariantCulture)).Append('\n');

        if (o.ForwardAgentSockPath is null)
            YesNo("forwardagent", o.ForwardAgent);
        else
            Line("forwardagent", o.ForwardAgentSockPath);

        if (o.ConnectTimeout == -1)
            Line("connecttimeout", "none");
        else
            Int("connecttimeout", o.ConnectTimeout);

        Line("tunneldevice", TunnelId(o.TunnelLocal) + ":" + TunnelId(o.TunnelRemote));

        Line("canonicalizePermittedcnames", o.PermittedCnames.Count == 0
            ? "none"
            : string.Join(' ', o.PermittedCnames.Select(p => p.Source + ":" + p.Target)));

        if (o.ControlPersist == 0 || o.ControlPersistTimeout == 0)
            YesNo("controlpersist", o.ControlPersist);
        else
            Int("controlpersist", o.ControlPersistTimeout);

        Line("escapechar", o.EscapeChar == -2 ? "none" : Vis(o.EscapeChar));
        Line("ipqos", SshConfigIpQos.Format(o.IpQosInteractive) + " " + SshConfigIpQos.Format(o.IpQosBulk));
        Line("rekeylimit", ((ulong)o.RekeyLimit).ToString(CultureInfo.InvariantCulture) + " " + o.RekeyInterval.ToString(CultureInfo.InvariantCulture));
        Line("streamlocalbindmask", "0" + Convert.ToString(o.StreamLocalBindMask, 8));
        Line("syslogfacility", o.LogFacility ?? "USER");

        if (o.JumpHost is null)
            Str("proxycommand", o.ProxyCommand);
        else
        {
            var numeric = o.JumpHost.Contains(':') || o.JumpHost.All(c => c is >= '0' and <= '9' or '.');
            sb.Append("proxyjump ")
              .Append(o.JumpExtra is null ? "" : o.JumpExtra + ",")
              .Append(o.JumpUser is null ? "" : o.JumpUser + "@")
              .Append(numeric ? "[" + o.JumpHost + "]" : o.JumpHost)
              .Append(o.JumpPort <= 0 ? "" : ":" + o.JumpPort.ToString(CultureInfo.InvariantCulture))
              .Append('\n');
        }
        return sb.ToString();
    }

    private static string TunnelId(int id) => id == -0x7fffffff ? "any" : id.ToString(CultureInfo.InvariantCulture);

    private static void Forwards(StringBuilder sb, string keyword, List<SshConfigForward> forwards)
    {
        foreach (var f in forwards)
        {
            var socks = f.ConnectHost == "socks";
            if (keyword == "dynamicforward" && f.ConnectHost is not null && !socks)
                continue;
            if (keyword == "localforward" && socks)
                continue;
            sb.Append(keyword).Append(' ');
            sb.Append(Endpoint(f.ListenPort, f.ListenPath, f.ListenHost));
            if (keyword != "dynamicforward")
                sb.Append(' ').Append(Endpoint(f.ConnectPort, f.ConnectPath, f.ConnectHost));
            sb.Append('\n');
        }
    }

    private static string Endpoint(int port, string? path, string? host) =>
        port == SshConfigForward.StreamLocalPort ? path ?? "(null)"
        : host is null ? port.ToString(CultureInfo.InvariantCulture)
        : "[" + host + "]:" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>vis(3) with VIS_WHITE as `ssh -G` uses it for the escape character.</summary>
    private static string Vis(int c)
    {
        if (c is ' ' or '\t' or '\n' or '\r')
            return "\\" + Convert.ToString(c, 8).PadLeft(3, '0');
        if (c == '\\')
            return "\\\\";
        if (c > 127)
        {
            var low = c & 0x7f;
            return "\\M" + (low < 32 ? "^" + (char)(low + 64) : low == 127 ? "^?" : "-" + (char)low);
        }
        if (c < 32)
            return "\\^" + (char)(c + 64);
        if (c == 127)
            return "\\^?";
        return ((char)c).ToString();
    }
}
