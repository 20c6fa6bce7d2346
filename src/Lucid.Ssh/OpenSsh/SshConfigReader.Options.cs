using System.Globalization;
using K = Lucid.Ssh.OpenSsh.SshConfigKeyword;
using W = Lucid.Ssh.OpenSsh.SshConfigKeywords;

namespace Lucid.Ssh.OpenSsh;

internal sealed partial class SshConfigReader
{
    private const int MaxIdentityFiles = 100, MaxCertificateFiles = 100, MaxHostsFiles = 32, MaxCanonicalDomains = 32;

    private static readonly string[] LogLevels = ["SILENT", "QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3"];
    private static readonly string[] LogFacilities =
        ["DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5", "LOCAL6", "LOCAL7"];

    /// <summary>Applies one option line (everything but Host, Match, Include); false when the line is bad.</summary>
    private bool ApplyOption(K opcode, LineContext c, bool active)
    {
        switch (opcode)
        {
            case K.Ignore:
                c.ConsumeAll();
                return true;
            case K.IgnoredUnknown:
                Debug(1, $"{c.At}: Ignored unknown option \"{c.Keyword}\"");
                c.ConsumeAll();
                return true;
            case K.Deprecated:
                Debug(1, $"{c.At}: Deprecated option \"{c.Keyword}\"");
                c.ConsumeAll();
                return true;
            case K.Unsupported:
                Error($"{c.At}: Unsupported option \"{c.Keyword}\"");
                c.ConsumeAll();
                return true;

            case K.ConnectTimeout: return Time(c, ref _o.ConnectTimeout, active);
            case K.ForwardX11Timeout: return Time(c, ref _o.ForwardX11Timeout, active);
            case K.ServerAliveInterval: return Time(c, ref _o.ServerAliveInterval, active);

            case K.ForwardAgent: return ForwardAgent(c, active);
            case K.ForwardX11: return Multi(c, ref _o.ForwardX11, W.Flag, active);
            case K.ForwardX11Trusted: return Multi(c, ref _o.ForwardX11Trusted, W.Flag, active);
            case K.GatewayPorts: return Multi(c, ref _o.GatewayPorts, W.Flag, active);
            case K.ExitOnForwardFailure: return Multi(c, ref _o.ExitOnForwardFailure, W.Flag, active);
            case K.PasswordAuthentication: return Multi(c, ref _o.PasswordAuthentication, W.Flag, active);
            case K.KbdInteractiveAuthentication: return Multi(c, ref _o.KbdInteractiveAuthentication, W.Flag, active);
            case K.PubkeyAuthentication: return Multi(c, ref _o.PubkeyAuthentication, W.PubkeyAuthentication, active);
            case K.HostbasedAuthentication: return Multi(c, ref _o.HostbasedAuthentication, W.Flag, active);
            case K.GssAuthentication: return Multi(c, ref _o.GssAuthentication, W.Flag, active);
            case K.GssDelegateCredentials: return Multi(c, ref _o.GssDelegateCreds, W.Flag, active);
            case K.GssKeyExchange: return Multi(c, ref _o.GssKeyExchange, W.Flag, active);
            case K.GssTrustDns: return Multi(c, ref _o.GssTrustDns, W.Flag, active);
            case K.GssRenewalForcesRekey: return Multi(c, ref _o.GssRenewalRekey, W.Flag, active);
            case K.BatchMode: return Multi(c, ref _o.BatchMode, W.Flag, active);
            case K.CheckHostIp: return Multi(c, ref _o.CheckHostIp, W.Flag, active);
            case K.VerifyHostKeyDns: return Multi(c, ref _o.VerifyHostKeyDns, W.YesNoAsk, active);
            case K.StrictHostKeyChecking: return Multi(c, ref _o.StrictHostKeyChecking, W.StrictHostKey, active);
            case K.Compression: return Multi(c, ref _o.Compression, W.Compression, active);
            case K.TcpKeepAlive: return Multi(c, ref _o.TcpKeepAlive, W.Flag, active);
            case K.NoHostAuthenticationForLocalhost: return Multi(c, ref _o.NoHostAuthenticationForLocalhost, W.Flag, active);
            case K.ClearAllForwardings: return Multi(c, ref _o.ClearForwardings, W.Flag, active);
            case K.AddressFamily: return Multi(c, ref _o.AddressFamily, W.AddressFamily, active);
            case K.EnableSshKeysign: return Multi(c, ref _o.EnableSshKeysign, W.Flag, active);
            case K.IdentitiesOnly: return Multi(c, ref _o.IdentitiesOnly, W.Flag, active);
            case K.ControlMaster: return Multi(c, ref _o.ControlMaster, W.ControlMaster, active);
            case K.HashKnownHosts: return Multi(c, ref _o.HashKnownHosts, W.Flag, active);
            case K.Tunnel: return Multi(c, ref _o.TunnelMode, W.Tunnel, active);
            case K.PermitLocalCommand: return Multi(c, ref _o.PermitLocalCommand, W.Flag, active);
            case K.VisualHostKey: return Multi(c, ref _o.VisualHostKey, W.Flag, active);
            case K.RequestTty: return Multi(c, ref _o.RequestTty, W.RequestTty, active);
            case K.SessionType: return Multi(c, ref _o.SessionType, W.SessionType, active);
            case K.StdinNull: return Multi(c, ref _o.StdinNull, W.Flag, active);
            case K.ForkAfterAuthentication: return Multi(c, ref _o.ForkAfterAuthentication, W.Flag, active);
            case K.ProxyUseFdPass: return Multi(c, ref _o.ProxyUseFdPass, W.Flag, active);
            case K.CanonicalizeHostname: return Multi(c, ref _o.CanonicalizeHostname, W.CanonicalizeHostname, active);
            case K.CanonicalizeFallbackLocal: return Multi(c, ref _o.CanonicalizeFallbackLocal, W.Flag, active);
            case K.StreamLocalBindUnlink: return Multi(c, ref _o.StreamLocalBindUnlink, W.Flag, active);
            case K.UpdateHostKeys: return Multi(c, ref _o.UpdateHostKeys, W.YesNoAsk, active);
            case K.EnableEscapeCommandline: return Multi(c, ref _o.EnableEscapeCommandline, W.Flag, active);
            case K.WarnWeakCrypto: return Multi(c, ref _o.WarnWeakCrypto, W.WarnWeakCrypto, active);

            case K.NumberOfPasswordPrompts: return Int(c, ref _o.NumberOfPasswordPrompts, active);
            case K.ConnectionAttempts: return Int(c, ref _o.ConnectionAttempts, active);
            case K.ServerAliveCountMax: return Int(c, ref _o.ServerAliveCountMax, active);
            case K.CanonicalizeMaxDots: return Int(c, ref _o.CanonicalizeMaxDots, active);
            case K.RequiredRsaSize: return Int(c, ref _o.RequiredRsaSize, active);

            case K.KbdInteractiveDevices: return Str(c, ref _o.KbdInteractiveDevices, active);
            case K.XAuthLocation: return Str(c, ref _o.XAuthLocation, active);
            case K.User: return Str(c, ref _o.User, active);
            case K.HostName: return Str(c, ref _o.HostName, active);
            case K.HostKeyAlias: return Str(c, ref _o.HostKeyAlias, active);
            case K.PreferredAuthentications: return Str(c, ref _o.PreferredAuthentications, active);
            case K.BindAddress: return Str(c, ref _o.BindAddress, active);
            case K.BindInterface: return Str(c, ref _o.BindInterface, active);
            case K.Pkcs11Provider: return Str(c, ref _o.Pkcs11Provider, active);
            case K.SecurityKeyProvider: return Str(c, ref _o.SecurityKeyProvider, active);
            case K.ControlPath: return Str(c, ref _o.ControlPath, active);
            case K.IgnoreUnknown: return Str(c, ref _o.IgnoredUnknown, active);
            case K.RevokedHostKeys: return Str(c, ref _o.RevokedHostKeys, active);
            case K.GssClientIdentity: return Str(c, ref _o.GssClientIdentity, active);
            case K.GssServerIdentity: return Str(c, ref _o.GssServerIdentity, active);

            case K.KnownHostsCommand: return Command(c, ref _o.KnownHostsCommand, active);
            case K.LocalCommand: return Command(c, ref _o.LocalCommand, active);
            case K.RemoteCommand: return Command(c, ref _o.RemoteCommand, active);
            case K.ProxyCommand:
                // ProxyJump, once set, wins over a later ProxyCommand (the value is parsed and dropped); Debian's
                // 9.2 build lets "ProxyJump none" be followed by a ProxyCommand, so we do too.
                if (_o.JumpHost is not null && _o.JumpHost != "none")
                {
                    var ignored = _o.JumpHost;
                    return Command(c, ref ignored, active);
                }
                return Command(c, ref _o.ProxyCommand, active);
            case K.ProxyJump:
                {
                    var value = c.Raw.TrimStart(' ', '\t', '\r', '\n', '=');
                    if (!SshConfigJump.Apply(value, _o, active))
                    {
                        Error($"{c.At}: Invalid ProxyJump \"{value}\"");
                        return false;
                    }
                    c.ConsumeAll();
                    return true;
                }

            case K.RekeyLimit: return RekeyLimit(c, active);
            case K.IdentityFile: return FileList(c, _o.IdentityFiles, MaxIdentityFiles, "identity", active);
            case K.CertificateFile: return FileList(c, _o.CertificateFiles, MaxCertificateFiles, "certificate", active);
            case K.GlobalKnownHostsFile: return StringArray(c, _o.SystemHostFiles, MaxHostsFiles, active);
            case K.UserKnownHostsFile: return StringArray(c, _o.UserHostFiles, MaxHostsFiles, active);

            case K.Port:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                        return Missing(c);
                    var value = SshConfigForward.Port(arg);
                    if (value <= 0)
                    {
                        Error($"{c.At}: Bad port '{arg}'.");
                        return false;
                    }
                    if (active && _o.Port == -1)
                        _o.Port = value;
                    return true;
                }

            case K.Ciphers:
                return Algorithms(c, ref _o.Ciphers, active, n => SshConfigAlgorithms.AllKnown(n, _options.Algorithms.AllCiphers, out _),
                    a => $"Bad SSH2 cipher spec '{a}'.");
            case K.Macs:
                return Algorithms(c, ref _o.Macs, active, n => SshConfigAlgorithms.AllKnown(n, _options.Algorithms.AllMacs, out _),
                    a => $"Bad SSH2 MAC spec '{a}'.");
            case K.KexAlgorithms:
                return Algorithms(c, ref _o.KexAlgorithms, active, n => KexValid(n, _options.Algorithms.AllKex),
                    a => $"Bad SSH2 KexAlgorithms '{a}'.");
            case K.GssKexAlgorithms:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                        return Missing(c);
                    if (!KexValid(arg, _options.Algorithms.AllGssKex))
                    {
                        Error($"{c.At}: Bad GSSAPI KexAlgorithms '{arg}'.");
                        return false;
                    }
                    if (active && _o.GssKexAlgorithms is null)
                        _o.GssKexAlgorithms = arg;
                    return true;
                }
            case K.HostKeyAlgorithms: return KeyAlgorithms(c, ref _o.HostKeyAlgorithms, active);
            case K.CaSignatureAlgorithms: return KeyAlgorithms(c, ref _o.CaSignatureAlgorithms, active);
            case K.HostbasedAcceptedAlgorithms: return KeyAlgorithms(c, ref _o.HostbasedAcceptedAlgorithms, active);
            case K.PubkeyAcceptedAlgorithms: return KeyAlgorithms(c, ref _o.PubkeyAcceptedAlgorithms, active);

            case K.LogLevel:
                {
                    var arg = c.Next();
                    var level = arg is null ? null : Array.Find(LogLevels, l => l.Equals(arg, StringComparison.OrdinalIgnoreCase));
                    if (level is null)
                    {
                        Error($"{c.At}: unsupported log level '{arg ?? "<NONE>"}'");
                        return false;
                    }
                    if (active && _o.LogLevel is null)
                        _o.LogLevel = level switch { "DEBUG1" => "DEBUG", "QUIET" => "SILENT", _ => level }; // the names -G prints
                    return true;
                }
            case K.SyslogFacility:
                {
                    var arg = c.Next();
                    var facility = arg is null ? null : Array.Find(LogFacilities, l => l.Equals(arg, StringComparison.OrdinalIgnoreCase));
                    if (facility is null)
                    {
                        Error($"{c.At}: unsupported log facility '{arg ?? "<NONE>"}'");
                        return false;
                    }
                    // OpenSSH sets this one even inside a Host block that does not apply.
                    _o.LogFacility ??= facility;
                    return true;
                }
            case K.LogVerbose:
                {
                    var i = 0;
                    while (c.Next() is { } arg)
                    {
                        if (arg.Length == 0)
                            return EmptyArgument(c);
                        if (arg.Equals("none", StringComparison.OrdinalIgnoreCase) && (i > 0 || c.Args.Count > 0))
                            return NoneAlone(c);
                        i++;
                        // OpenSSH keeps only the first word of the first LogVerbose line.
                        if (active && _o.LogVerbose.Count == 0)
                            _o.LogVerbose.Add(arg);
                    }
                    return true;
                }

            case K.LocalForward:
            case K.RemoteForward:
            case K.DynamicForward:
                return Forward(opcode, c, active);
            case K.PermitRemoteOpen: return PermitRemoteOpen(c, active);

            case K.EscapeChar:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                        return Missing(c);
                    int value;
                    if (arg == "none")
                        value = -2;
                    else if (arg.Length == 1)
                        value = arg[0] & 0xff;
                    else if (arg.Length == 2 && arg[0] == '^' && arg[1] >= 64 && arg[1] < 128)
                        value = arg[1] & 31;
                    else
                    {
                        Error($"{c.At}: Bad escape character.");
                        return false;
                    }
                    if (active && _o.EscapeChar == -1)
                        _o.EscapeChar = value;
                    return true;
                }

            case K.SendEnv:
                while (c.Next() is { } arg)
                {
                    if (arg.Length == 0 || arg.Contains('='))
                    {
                        Error($"{c.At}: Invalid environment name.");
                        return false;
                    }
                    if (!active)
                        continue;
                    if (arg[0] == '-')
                    {
                        foreach (var gone in _o.SendEnv.Where(e => SshConfigPatterns.Match(e, arg.AsSpan(1))).ToList())
                        {
                            Debug(3, $"{c.At}: removing environment {gone}");
                            _o.SendEnv.Remove(gone);
                        }
                    }
                    else
                        _o.SendEnv.Add(arg);
                }
                return true;
            case K.SetEnv:
                {
                    var hadAny = _o.SetEnv.Count != 0;
                    while (c.Next() is { } arg)
                    {
                        var eq = arg.IndexOf('=');
                        if (eq < 0)
                        {
                            Error($"{c.At}: Invalid SetEnv.");
                            return false;
                        }
                        if (!active || hadAny)
                            continue;
                        var name = arg[..eq];
                        if (_o.SetEnv.Any(e => e.StartsWith(name + "=", StringComparison.Ordinal)))
                        {
                            Debug(2, $"{c.File} line {c.Line}: ignoring duplicate env name \"{Truncate(arg, 64)}\"");
                            continue;
                        }
                        _o.SetEnv.Add(arg);
                    }
                    return true;
                }

            case K.ControlPersist:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                    {
                        Error($"{c.At}: Missing ControlPersist argument.");
                        return false;
                    }
                    int value, timeout = 0;
                    if (arg is "no" or "false")
                        value = 0;
                    else if (arg is "yes" or "true")
                        value = 1;
                    else if ((timeout = ConvTime(arg)) >= 0)
                        value = 1;
                    else
                    {
                        Error($"{c.At}: Bad ControlPersist argument.");
                        return false;
                    }
                    if (active && _o.ControlPersist == -1)
                    {
                        _o.ControlPersist = value;
                        _o.ControlPersistTimeout = timeout;
                    }
                    return true;
                }
            case K.TunnelDevice:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                        return Missing(c);
                    if (!ParseTunnel(arg, out var local, out var remote))
                    {
                        Error($"{c.At}: Bad tun device.");
                        return false;
                    }
                    if (active && _o.TunnelLocal == -1)
                    {
                        _o.TunnelLocal = local;
                        _o.TunnelRemote = remote;
                    }
                    return true;
                }
            case K.IpQos:
                {
                    var arg = c.Next();
                    var interactive = SshConfigIpQos.Parse(arg);
                    if (interactive < 0)
                    {
                        Error($"{c.At}: Bad IPQoS value: {arg ?? "(null)"}");
                        return false;
                    }
                    var arg2 = c.Next();
                    var bulk = arg2 is null ? interactive : SshConfigIpQos.Parse(arg2);
                    if (bulk < 0)
                    {
                        Error($"{c.At}: Bad IPQoS value: {arg2}");
                        return false;
                    }
                    if (active && _o.IpQosInteractive == -1)
                    {
                        _o.IpQosInteractive = interactive;
                        _o.IpQosBulk = bulk;
                    }
                    return true;
                }
            case K.CanonicalDomains: return CanonicalDomains(c, active);
            case K.CanonicalizePermittedCnames: return PermittedCnames(c, active);
            case K.StreamLocalBindMask:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                    {
                        Error($"{c.At}: Missing StreamLocalBindMask argument.");
                        return false;
                    }
                    var digits = arg.TrimStart(' ', '\t');
                    var n = 0;
                    long value = 0;
                    while (n < digits.Length && digits[n] is >= '0' and <= '7')
                        value = value * 8 + (digits[n++] - '0');
                    if (n == 0 || value > 511)
                    {
                        Error($"{c.At}: Bad mask.");
                        return false;
                    }
                    // Not gated on the Host/Match state and not first-wins: OpenSSH simply overwrites it.
                    _o.StreamLocalBindMask = (int)value;
                    return true;
                }
            case K.FingerprintHash:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                        return Missing(c);
                    var name = Array.Find(["MD5", "SHA1", "SHA256", "SHA384", "SHA512"], h => h.Equals(arg, StringComparison.OrdinalIgnoreCase));
                    if (name is null)
                    {
                        Error($"{c.At}: Invalid hash algorithm \"{arg}\".");
                        return false;
                    }
                    if (active && _o.FingerprintHash is null)
                        _o.FingerprintHash = name;
                    return true;
                }
            case K.Tag: return c.Args.Count == 0 ? NoArgument(c) : Str(c, ref _o.Tag, active);
            case K.VersionAddendum: return VersionAddendum(c, active);
            case K.ObscureKeystrokeTiming: return ObscureKeystrokeTiming(c, active);
            case K.ChannelTimeout: return ChannelTimeout(c, active);
            case K.RefuseConnection: return RefuseConnection(c, active);
            case K.AddKeysToAgent: return AddKeysToAgent(c, active);
            case K.IdentityAgent:
                {
                    var arg = c.Next();
                    if (string.IsNullOrEmpty(arg))
                        return Missing(c);
                    return AgentPath(c, arg, ref _o.IdentityAgent, active);
                }
            default:
                Error($"{c.At}: Unimplemented opcode {(int)opcode}");
                return false;
        }
    }
}
