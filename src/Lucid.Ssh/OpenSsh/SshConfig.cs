using System.Globalization;
using System.Net;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// ssh_config(5) as OpenSSH's ssh applies it: command-line options first, then -F's file or ~/.ssh/config and
/// /etc/ssh/ssh_config, the first value obtained for an option winning; HostName tokens, canonicalization and
/// the "Match final" second pass; then defaults and token expansion. The result prints like `ssh -G`.
/// </summary>
public static class SshConfig
{
    /// <summary>The effective configuration for connecting to <paramref name="host"/> (as typed, without user@).</summary>
    /// <exception cref="SshConfigException">The configuration is bad; its lines are what ssh would print.</exception>
    public static EffectiveSshConfig Resolve(string host, SshConfigResolveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        options ??= new SshConfigResolveOptions();
        var local = options.LocalUser ?? SshConfigLocalUser.Current;
        var o = new SshConfigState();
        var reader = new SshConfigReader(o, options, local);

        foreach (var line in options.CommandLineOptions)
            if (!reader.ProcessCommandLine(line))
                throw reader.Log.Failed();

        o.HostArg = host;
        reader.Host = host;
        reader.OriginalHost = host;
        ReadFiles(reader, options, local, finalPass: false);
        var wantFinalPass = reader.WantFinalPass;
        if (wantFinalPass)
            reader.Log.Debug(1, "configuration requests final Match pass");

        SshConfigDefaults.FillForCanonicalization(o);
        var name = host;
        if (o.HostName is not null)
        {
            try
            {
                name = SshConfigExpansion.Expand(o.HostName, new Dictionary<char, string> { ['h'] = host }, null);
            }
            catch (SshConfigException e) when (e.Standalone)
            {
                throw reader.Log.Rethrow(e);
            }
            o.HostName = name;
        }
        var wasAddress = IsAddress(name);
        if (!wasAddress)
            name = SshConfigPatterns.AsciiLower(name);
        var resolved = false;
        if (o.CanonicalizeHostname != SshConfigKeywords.CanonicalizeNo || wasAddress)
            name = Canonicalize(name, o, options, reader.Log, out resolved);
        name = FollowCnames(name, resolved, o, options, reader.Log);

        if (o.CanonicalizeHostname != SshConfigKeywords.CanonicalizeNo && !wantFinalPass)
        {
            reader.Log.Debug(1, "hostname canonicalisation enabled, will re-parse configuration");
            wantFinalPass = true;
        }
        if (wantFinalPass)
        {
            reader.Log.Debug(1, "re-parsing configuration");
            o.HostName = name;
            reader.Host = name;
            ReadFiles(reader, options, local, finalPass: true);
        }

        var failure = SshConfigDefaults.Fill(o, options.Algorithms, options.StdioForwarding);
        if (failure is not null)
            throw reader.Log.Fatal(failure);
        o.User ??= local.Name;

        if (o.JumpHost is not null)
        {
            var port = o.Port <= 0 ? 22 : o.Port;
            var jumpPort = o.JumpPort <= 0 ? 22 : o.JumpPort;
            if (o.JumpHost == name && port == jumpPort && o.User == (o.JumpUser ?? o.User))
                throw reader.Log.Fatal($"jumphost loop via {o.JumpHost}");
            // The ProxyCommand OpenSSH synthesises from ProxyJump is not shown by -G; ProxyJump is.
            o.ProxyCommand = null;
            o.ProxyUseFdPass = 0;
        }
        if (o.Port == 0)
            o.Port = 22;
        if (o.HostKeyAlias is not null)
            o.HostKeyAlias = SshConfigPatterns.AsciiLower(o.HostKeyAlias);
        if (o.ProxyCommand == "-" && o.ProxyUseFdPass != 0)
            throw reader.Log.Fatal("ProxyCommand=- and ProxyUseFDPass are incompatible");
        if (o.UpdateHostKeys == 2)
        {
            var levelBelowInfo = o.LogLevel is "SILENT" or "FATAL" or "ERROR";
            if (o.ControlPersist != 0 && o.ControlPath is not null)
                o.UpdateHostKeys = 0;
            else if (options.HasRemoteCommand || o.RemoteCommand is not null || o.RequestTty == SshConfigKeywords.TtyNo)
                o.UpdateHostKeys = 0;
            else if (levelBelowInfo)
                o.UpdateHostKeys = 0;
        }
        if (o.ConnectionAttempts <= 0)
            throw reader.Log.Fatal("Invalid number of ConnectionAttempts");
        if (options.HasRemoteCommand && o.RemoteCommand is not null)
            throw reader.Log.Fatal("Cannot execute command-line and remote command.");
        if (o.ForkAfterAuthentication != 0 && !options.HasRemoteCommand && o.RemoteCommand is null
            && o.SessionType != SshConfigKeywords.SessionNone)
            throw reader.Log.Fatal("Cannot fork into background without a command to execute.");

        ExpandTokens(o, name, local, options, reader.Log);
        return new EffectiveSshConfig(o, name, options.Algorithms, reader.Log.Entries, local);
    }

    private static void ReadFiles(SshConfigReader reader, SshConfigResolveOptions options, SshConfigLocalUser local, bool finalPass)
    {
        var final = finalPass ? SshConfigReadFlags.FinalPass : SshConfigReadFlags.None;
        var active = true;
        if (options.ConfigFile is { } file)
        {
            if (file.Equals("none", StringComparison.OrdinalIgnoreCase))
                return;
            if (!reader.ReadFile(file, SshConfigReadFlags.UserConfig | final, ref active, 0))
            {
                // A missing file or directory is ENOENT; a file that is there but could not be read, EACCES.
                var why = !File.Exists(file) && !Directory.Exists(file) ? "No such file or directory" : "Permission denied";
                throw reader.Log.Fatal($"Can't open user config file {Trim(file)}: {why}");
            }
            return;
        }
        var user = options.UserConfigFile ?? Path.Combine(local.HomeDirectory, ".ssh", "config");
        reader.ReadFile(user, SshConfigReadFlags.CheckPermissions | SshConfigReadFlags.UserConfig | final, ref active, 0);
        active = true;
        reader.ReadFile(options.SystemConfigFile, final, ref active, 0);
    }

    private static string Trim(string s) => s.Length <= 100 ? s : s[..100];

    /// <summary>Names that can only be an address (a '%' or ':' or nothing but digits and dots), or parse as one.</summary>
    private static bool IsAddressFast(string name) =>
        name.Contains('%') || name.Contains(':') || name.All(c => c is >= '0' and <= '9' or '.');

    private static bool IsAddress(string name) => IsAddressFast(name) || IPAddress.TryParse(name, out _);

    private static string Canonicalize(string host, SshConfigState o, SshConfigResolveOptions options, SshConfigLog log,
        out bool resolved)
    {
        resolved = false;
        var port = o.Port <= 0 ? 22 : o.Port;
        if (IPAddress.TryParse(host, out var address) && !host.Contains('%'))
        {
            log.Debug(2, $"resolve_canonicalize: hostname {host} is address");
            resolved = true;
            var text = address.ToString();
            if (string.Equals(text, host, StringComparison.OrdinalIgnoreCase))
                return host;
            log.Debug(2, $"resolve_canonicalize: canonicalised address \"{host}\" => \"{text}\"");
            return text;
        }
        log.Debug(2, $"resolve_addr: could not resolve name {host} as address: Name or service not known");
        if (IsAddressFast(host))
        {
            log.Debug(1, $"resolve_canonicalize: hostname {host} is an unrecognised address");
            return host;
        }
        if (o.CanonicalizeHostname == SshConfigKeywords.CanonicalizeNo)
            return host;
        var direct = (o.ProxyCommand is null || o.ProxyCommand.Equals("none", StringComparison.OrdinalIgnoreCase)) && o.JumpHost is null;
        if (!direct && o.CanonicalizeHostname != SshConfigKeywords.CanonicalizeAlways)
            return host;
        string? cname = null;
        bool Lookup(string name)
        {
            cname = Resolve(name, port, options, log, logAsError: false);
            return cname is not null;
        }
        string Found(string full)
        {
            var followed = FollowCname(direct, full, cname!, o, log);
            if (followed == full)
                log.Debug(1, $"Canonicalized hostname \"{host}\" => \"{full}\"");
            return followed;
        }
        if (host.EndsWith('.'))
        {
            log.Debug(3, "resolve_canonicalize: name is fully qualified");
            if (Lookup(host))
            {
                resolved = true;
                return Found(host[..^1]);
            }
        }
        else
        {
            var dots = host.Count(c => c == '.');
            if (dots > o.CanonicalizeMaxDots)
            {
                log.Debug(3, $"resolve_canonicalize: not canonicalizing hostname \"{host}\" (max dots {o.CanonicalizeMaxDots})");
                return host;
            }
            foreach (var domain in o.CanonicalDomains)
            {
                if (domain.Equals("none", StringComparison.OrdinalIgnoreCase))
                    break;
                var full = $"{host}.{domain}.";
                log.Debug(3, $"resolve_canonicalize: attempting \"{host}\" => \"{full}\"");
                if (Lookup(full))
                {
                    resolved = true;
                    return Found(full[..^1]);
                }
            }
        }
        if (o.CanonicalizeFallbackLocal == 0)
            throw log.Fatal($"ssh: Could not resolve host \"{host}\"");
        log.Debug(2, $"resolve_canonicalize: host {host} not found in any suffix");
        return host;
    }

    /// <summary>With CanonicalizePermittedCNAMEs and no canonicalization done, ssh resolves the name anyway and may
    /// follow its CNAME; an unresolvable name is then fatal for a direct connection.</summary>
    private static string FollowCnames(string host, bool resolved, SshConfigState o, SshConfigResolveOptions options, SshConfigLog log)
    {
        var direct = (o.ProxyCommand is null || o.ProxyCommand.Equals("none", StringComparison.OrdinalIgnoreCase)) && o.JumpHost is null;
        if (resolved || !HasPermittedCnames(o) || !(direct || o.CanonicalizeHostname == SshConfigKeywords.CanonicalizeAlways))
            return host;
        var cname = Resolve(host, o.Port <= 0 ? 22 : o.Port, options, log, logAsError: direct);
        if (cname is null)
        {
            if (direct)
                throw log.Failed();
            return host;
        }
        return FollowCname(direct, host, cname, o, log);
    }

    private static bool HasPermittedCnames(SshConfigState o) =>
        o.PermittedCnames.Count > 0
        && !(o.PermittedCnames.Count == 1 && o.PermittedCnames[0].Source.Equals("none", StringComparison.OrdinalIgnoreCase)
             && o.PermittedCnames[0].Target.Length == 0);

    private static string FollowCname(bool direct, string name, string cname, SshConfigState o, SshConfigLog log)
    {
        if (cname.Length == 0 || !HasPermittedCnames(o) || name == cname || o.CanonicalizeHostname == SshConfigKeywords.CanonicalizeNo)
            return name;
        if (!direct && o.CanonicalizeHostname != SshConfigKeywords.CanonicalizeAlways)
            return name;
        log.Debug(3, $"check_follow_cname: check \"{name}\" CNAME \"{cname}\"");
        foreach (var (source, target) in o.PermittedCnames)
        {
            if (SshConfigPatterns.MatchList(name, source, true) != 1 || SshConfigPatterns.MatchList(cname, target, true) != 1)
                continue;
            log.Debug(1, $"Canonicalized DNS aliased hostname \"{name}\" => \"{cname}\"");
            return cname;
        }
        return name;
    }

    /// <summary>getaddrinfo for a name: its canonical name, or null (logged as ssh does) when it does not resolve.</summary>
    private static string? Resolve(string name, int port, SshConfigResolveOptions options, SshConfigLog log, bool logAsError)
    {
        log.Debug(3, $"resolve_host: lookup {name}:{port}");
        string? canonical;
        string problem = "Name or service not known";
        if (options.ResolveHostName is { } custom)
            canonical = custom(name);
        else
        {
            try
            {
                var entry = Dns.GetHostEntry(name);
                canonical = entry.AddressList.Length > 0 ? entry.HostName : null;
            }
            catch (System.Net.Sockets.SocketException e)
            {
                canonical = null;
                problem = e.SocketErrorCode switch
                {
                    System.Net.Sockets.SocketError.TryAgain => "Temporary failure in name resolution",
                    System.Net.Sockets.SocketError.NoData => "No address associated with hostname",
                    _ => problem,
                };
            }
            catch (ArgumentException)
            {
                canonical = null;
            }
        }
        if (canonical is null)
        {
            var text = $"ssh: Could not resolve hostname {name}: {problem}";
            if (logAsError)
                log.Error(text);
            else
                log.Debug(1, text);
        }
        return canonical;
    }

    /// <summary>Token and ~ expansion of the options OpenSSH expands before `ssh -G` prints (the others are
    /// expanded where they are used, by the code using them: see <see cref="EffectiveSshConfig.ExpandTokens"/>).</summary>
    private static void ExpandTokens(SshConfigState o, string host, SshConfigLocalUser local, SshConfigResolveOptions options,
        SshConfigLog log)
    {
        var tokens = EffectiveSshConfig.ClientTokens(o, host, local);
        var env = options.GetEnvironmentVariable;
        string Tilde(string s)
        {
            try
            {
                return SshConfigExpansion.ExpandTilde(s, local.HomeDirectory);
            }
            catch (SshConfigException e) when (e.Standalone)
            {
                throw log.Rethrow(e);
            }
        }
        string Expand(string s, bool dollar)
        {
            try
            {
                return SshConfigExpansion.Expand(s, tokens, dollar ? env : null);
            }
            catch (SshConfigException e) when (e.Standalone)
            {
                throw log.Rethrow(e);
            }
        }
        if (o.RemoteCommand is not null)
            o.RemoteCommand = Expand(o.RemoteCommand, false);
        if (o.VersionAddendum is not null)
            o.VersionAddendum = Expand(o.VersionAddendum, true);
        if (o.ControlPath is not null)
            o.ControlPath = Expand(Tilde(o.ControlPath), true);
        if (o.IdentityAgent is not null)
            o.IdentityAgent = Expand(Tilde(o.IdentityAgent), true);
        if (o.ForwardAgentSockPath is not null)
        {
            o.ForwardAgentSockPath = Expand(Tilde(o.ForwardAgentSockPath), true);
            if (!File.Exists(o.ForwardAgentSockPath) && !Directory.Exists(o.ForwardAgentSockPath))
            {
                log.Error($"Cannot forward agent socket path \"{o.ForwardAgentSockPath}\": No such file or directory");
                if (o.ExitOnForwardFailure != 0)
                    throw log.Failed();
            }
        }
        if (o.SystemHostFiles.Count > 0 && o.SystemHostFiles[0].Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            if (o.SystemHostFiles.Count > 1)
                throw log.Fatal("Invalid GlobalKnownHostsFiles: \"none\" appears with other entries");
            o.SystemHostFiles.Clear();
        }
        if (o.UserHostFiles.Count > 0 && o.UserHostFiles[0].Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            if (o.UserHostFiles.Count > 1)
                throw log.Fatal("Invalid UserKnownHostsFiles: \"none\" appears with other entries");
            o.UserHostFiles.Clear();
        }
        for (var i = 0; i < o.UserHostFiles.Count; i++)
        {
            var expanded = Expand(Tilde(o.UserHostFiles[i]), true);
            if (expanded != o.UserHostFiles[i])
                log.Debug(3, $"expanded UserKnownHostsFile '{o.UserHostFiles[i]}' -> '{expanded}'");
            o.UserHostFiles[i] = expanded;
        }
        ExpandForwardPaths(o.LocalForwards, s => Expand(s, false));
        ExpandForwardPaths(o.RemoteForwards, s => Expand(s, false));
    }

    private static void ExpandForwardPaths(List<SshConfigForward> forwards, Func<string, string> expand)
    {
        for (var i = 0; i < forwards.Count; i++)
        {
            var f = forwards[i];
            forwards[i] = f with
            {
                ListenPath = f.ListenPath is null ? null : expand(f.ListenPath),
                ConnectPath = f.ConnectPath is null ? null : expand(f.ConnectPath),
            };
        }
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
