using System.Globalization;

namespace Lucid.Ssh.OpenSsh;

/// <summary>`sshd -T`: every setting, lowercase keyword first, in OpenSSH 9.2's order and formats (servconf.c dump_config),
/// with OpenSSH 10's additions (PerSourcePenalties, RefuseConnection, ChannelTimeout none) in 10.5's value formats.</summary>
internal static class SshdConfigDump
{
    public static void Write(SshdConfig c, TextWriter o)
    {
        foreach (var port in c.Ports)
            o.Write($"port {port.ToString(CultureInfo.InvariantCulture)}\n");
        o.Write($"addressfamily {c.AddressFamily}\n");
        foreach (var ep in c.ListenEndPoints)
            o.Write($"listenaddress {SshdListenAddress.Format(ep)}\n");

        o.Write($"usepam {YesNo(c.UsePam)}\n");
        Int(o, c, "logingracetime", 120);
        Int(o, c, "x11displayoffset", 10);
        Int(o, c, "maxauthtries", 6);
        Int(o, c, "maxsessions", 10);
        Int(o, c, "clientaliveinterval", 0);
        Int(o, c, "clientalivecountmax", 3);
        Int(o, c, "requiredrsasize", 1024);
        o.Write($"streamlocalbindmask 0{Convert.ToString(c.Int("streamlocalbindmask", 0x7f), 8)}\n");
        var unused = c.Int("unusedconnectiontimeout", 0);
        o.Write($"unusedconnectiontimeout {(unused == 0 ? "none" : unused.ToString(CultureInfo.InvariantCulture))}\n");

        o.Write($"permitrootlogin {c.PermitRootLogin}\n");
        Str(o, c, "ignorerhosts", "yes");
        Str(o, c, "ignoreuserknownhosts", "no");
        Str(o, c, "hostbasedauthentication", "no");
        Str(o, c, "hostbasedusesnamefrompacketonly", "no");
        Str(o, c, "pubkeyauthentication", "yes");
        Str(o, c, "passwordauthentication", "yes");
        Str(o, c, "kbdinteractiveauthentication", "yes");
        Str(o, c, "printmotd", "yes");
        Str(o, c, "printlastlog", "yes");
        Str(o, c, "x11forwarding", "no");
        Str(o, c, "x11uselocalhost", "yes");
        Str(o, c, "permittty", "yes");
        Str(o, c, "permituserrc", "yes");
        Str(o, c, "strictmodes", "yes");
        Str(o, c, "tcpkeepalive", "yes");
        Str(o, c, "permitemptypasswords", "no");
        Str(o, c, "compression", "yes");
        Str(o, c, "gatewayports", "no");
        Str(o, c, "usedns", "no");
        Str(o, c, "allowtcpforwarding", "yes");
        Str(o, c, "allowagentforwarding", "yes");
        Str(o, c, "disableforwarding", "no");
        Str(o, c, "allowstreamlocalforwarding", "yes");
        Str(o, c, "streamlocalbindunlink", "no");
        Str(o, c, "fingerprinthash", "SHA256");
        Str(o, c, "exposeauthinfo", "no");
        Str(o, c, "refuseconnection", "no");

        Str(o, c, "pidfile", "/run/sshd.pid");
        Str(o, c, "modulifile", "/etc/ssh/moduli");
        Str(o, c, "xauthlocation", "/usr/bin/xauth");
        o.Write($"ciphers {string.Join(',', c.Ciphers)}\n");
        o.Write($"macs {string.Join(',', c.Macs)}\n");
        Str(o, c, "banner", "none");
        Str(o, c, "forcecommand", "none");
        Str(o, c, "chrootdirectory", "none");
        Str(o, c, "trustedusercakeys", "none");
        Str(o, c, "revokedkeys", "none");
        Str(o, c, "securitykeyprovider", "internal");
        Str(o, c, "authorizedprincipalsfile", "none");
        o.Write($"versionaddendum {c.VersionAddendum ?? "none"}\n");
        Str(o, c, "authorizedkeyscommand", "none");
        Str(o, c, "authorizedkeyscommanduser", "none");
        Str(o, c, "authorizedprincipalscommand", "none");
        Str(o, c, "authorizedprincipalscommanduser", "none");
        Str(o, c, "hostkeyagent", "none");
        Str(o, c, "persourcepenaltyexemptlist", "none");
        o.Write($"kexalgorithms {string.Join(',', c.KexAlgorithms)}\n");
        o.Write($"casignaturealgorithms {string.Join(',', c.CaSignatureAlgorithms)}\n");
        o.Write($"hostbasedacceptedalgorithms {string.Join(',', c.Algorithms("hostbasedacceptedalgorithms", SshdConfigAlgorithms.Category.Key))}\n");
        o.Write($"hostkeyalgorithms {string.Join(',', c.HostKeyAlgorithms)}\n");
        o.Write($"pubkeyacceptedalgorithms {string.Join(',', c.PubkeyAcceptedAlgorithms)}\n");

        o.Write($"loglevel {c.LogLevel}\n");
        o.Write($"syslogfacility {c.SyslogFacility}\n");

        o.Write($"authorizedkeysfile {string.Join(' ', c.AuthorizedKeysFiles)}\n");
        foreach (var key in c.HostKeys)
            o.Write($"hostkey {key}\n");
        Array(o, c, "hostcertificate");
        Array(o, c, "allowusers");
        Array(o, c, "denyusers");
        Array(o, c, "allowgroups");
        Array(o, c, "denygroups");
        Array(o, c, "acceptenv");
        Array(o, c, "setenv");
        o.Write($"authenticationmethods {string.Join(' ', c.Values("authenticationmethods") ?? ["any"])}\n");
        if (c.Values("logverbose") is { Count: > 0 } verbose)
            o.Write($"logverbose {string.Join(' ', verbose)}\n");
        // OpenSSH 10 prints "none" when unset (9.2 printed nothing).
        o.Write($"channeltimeout {(c.Values("channeltimeout") is { Count: > 0 } timeouts ? string.Join(' ', timeouts) : "none")}\n");

        foreach (var (name, command) in c.Subsystems)
            o.Write($"subsystem {name} {command}\n");
        var (start, rate, full) = c.MaxStartups;
        o.Write($"maxstartups {start}:{rate}:{full}\n");
        Str(o, c, "persourcemaxstartups", "none");
        Str(o, c, "persourcenetblocksize", "32:128");
        Str(o, c, "permittunnel", "no");
        o.Write($"ipqos {string.Join(' ', c.Values("ipqos") ?? ["lowdelay", "throughput"])}\n");
        o.Write($"rekeylimit {string.Join(' ', c.Values("rekeylimit") ?? ["0", "0"])}\n");
        o.Write($"permitopen {string.Join(' ', c.PermitOpen)}\n");
        o.Write($"permitlisten {string.Join(' ', c.PermitListen)}\n");
        Str(o, c, "permituserenvironment", "no");
        var pk = c.Values("pubkeyauthoptions");
        o.Write($"pubkeyauthoptions {(pk is null || pk.Count == 0 ? "none" : string.Join(' ', pk))}\n");
        o.Write(c.PerSourcePenalties.Dump() + "\n");
    }

    private static string YesNo(bool v) => v ? "yes" : "no";

    private static void Int(TextWriter o, SshdConfig c, string k, int fallback) =>
        o.Write($"{k} {c.Int(k, fallback).ToString(CultureInfo.InvariantCulture)}\n");

    private static void Str(TextWriter o, SshdConfig c, string k, string fallback) => o.Write($"{k} {c.Str(k, fallback)}\n");

    private static void Array(TextWriter o, SshdConfig c, string k)
    {
        foreach (var v in c.Values(k) ?? [])
            o.Write($"{k} {v}\n");
    }
}
