using System.Globalization;
using Lucid.Ssh.Crypto;

namespace Lucid.Cli.Ssh;

/// <summary>When to ask for a pseudo-terminal (RequestTTY, -t/-T).</summary>
internal enum RequestTty { Auto, No, Yes, Force }

/// <summary>How unknown and changed host keys are treated (StrictHostKeyChecking).</summary>
internal enum StrictHostKeyChecking { Ask, Yes, No, AcceptNew }

/// <summary>
/// Everything `lucid ssh` was told, from flags, -o and a config file. As in OpenSSH, the first value
/// obtained for a setting wins: flags and -o come before any config file, so they take precedence.
/// </summary>
internal sealed class SshOptions
{
    public string? Host { get; set; }
    public string? HostName { get; private set; }
    public int? Port { get; private set; }
    public string? User { get; private set; }
    public List<string> IdentityFiles { get; } = [];
    public StrictHostKeyChecking? StrictHostKeyChecking { get; private set; }
    public List<string>? UserKnownHostsFiles { get; private set; }
    public string? Ciphers { get; private set; }
    public string? Macs { get; private set; }
    public string? KexAlgorithms { get; private set; }
    public string? HostKeyAlgorithms { get; private set; }
    public string? PubkeyAcceptedAlgorithms { get; private set; }
    public long? RekeyBytes { get; private set; }
    public TimeSpan? RekeyTime { get; private set; }
    public bool? PasswordAuthentication { get; private set; }
    public bool? KbdInteractiveAuthentication { get; private set; }
    public bool? PubkeyAuthentication { get; private set; }
    public bool? IdentitiesOnly { get; private set; }
    public bool? BatchMode { get; private set; }
    public string? PreferredAuthentications { get; private set; }
    public TimeSpan? ConnectTimeout { get; private set; }
    public string? ProxyCommand { get; private set; }

    /// <summary>ConnectionAttempts: how many times to try the TCP connection, a second apart (default 1).</summary>
    public int? ConnectionAttempts { get; private set; }

    /// <summary>ServerAliveInterval / ServerAliveCountMax: keepalive requests and how many may go unanswered (default 3).</summary>
    public TimeSpan? ServerAliveInterval { get; private set; }
    public int? ServerAliveCountMax { get; private set; }

    /// <summary>ProxyJump/-J as given ("none" clears it); the first obtained value wins.</summary>
    public string? ProxyJump { get; private set; }

    /// <summary>Records -J / ProxyJump once; ProxyCommand and ProxyJump exclude each other, first one wins.</summary>
    public void SetProxyJump(string value)
    {
        if (ProxyJump is null && ProxyCommand is null)
            ProxyJump = value;
    }

    /// <summary>-W host:port: stdin and stdout become a direct-tcpip channel to that address, nothing else runs.</summary>
    public string? StdioForward { get; set; }
    public RequestTty? RequestTty { get; private set; }
    public LogLevel? LogLevel { get; private set; }
    public bool? Compression { get; private set; }
    public int? EscapeChar { get; private set; } // -1 = none
    public int? NumberOfPasswordPrompts { get; private set; }

    // Flags that are not config keywords.
    public List<string> Command { get; } = [];
    public int ForceTtyCount { get; set; }
    public bool DisableTty { get; set; }
    public bool NoCommand { get; set; }
    public bool StdinNull { get; set; }
    public string? ConfigFile { get; set; }
    public string? LogFile { get; set; }
    public int Verbosity { get; set; }
    public bool Quiet { get; set; }

    public int EffectivePort => Port ?? 22;
    public string EffectiveHostName => HostName ?? Host ?? "";
    public string EffectiveUser => User ?? Environment.UserName;
    public StrictHostKeyChecking EffectiveStrictHostKeyChecking => StrictHostKeyChecking ?? Ssh.StrictHostKeyChecking.Ask;
    public bool EffectiveBatchMode => BatchMode ?? false;

    public LogLevel EffectiveLogLevel
    {
        get
        {
            // -q and -v adjust the level the same way OpenSSH does: -q means QUIET, each -v one step of DEBUG.
            if (LogLevel is { } set)
                return set;
            if (Quiet)
                return Ssh.LogLevel.Quiet;
            return Verbosity switch
            {
                0 => Ssh.LogLevel.Info,
                1 => Ssh.LogLevel.Debug1,
                2 => Ssh.LogLevel.Debug2,
                _ => Ssh.LogLevel.Debug3,
            };
        }
    }

    public void SetPort(int port) => Port ??= port;
    public void SetUser(string user) => User ??= user;
    public void SetHostName(string name) => HostName ??= name;
    public void SetEscapeChar(int c) => EscapeChar ??= c;
    public void SetCiphers(string spec) => Ciphers ??= spec;
    public void SetMacs(string spec) => Macs ??= spec;
    public void SetLogLevel(LogLevel level) => LogLevel ??= level;
    public void SetCompression(bool on) => Compression ??= on;
    public void SetRequestTty(RequestTty value) => RequestTty ??= value;

    /// <summary>Applies one "Keyword value" setting (from -o or a config file).</summary>
    public void Apply(string keyword, string value, string source, int line)
    {
        SshUsageException Bad(string problem) => SshUsageException.Config(source, line, problem);

        bool Flag()
        {
            return value.ToLowerInvariant() switch
            {
                "yes" or "true" => true,
                "no" or "false" => false,
                _ => throw Bad($"unsupported option \"{value}\"."),
            };
        }

        string Valid(AlgorithmCategory category, string spec, string problem) =>
            SshAlgorithms.IsValidSpec(category, spec) ? spec : throw Bad(problem);

        switch (keyword.ToLowerInvariant())
        {
            case "port":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
                    throw Bad($"Bad port '{value}'.");
                SetPort(port);
                break;
            case "user":
                SetUser(value);
                break;
            case "hostname":
                SetHostName(value);
                break;
            case "identityfile":
                IdentityFiles.Add(value);
                break;
            case "stricthostkeychecking":
                StrictHostKeyChecking ??= value.ToLowerInvariant() switch
                {
                    "yes" or "true" => Ssh.StrictHostKeyChecking.Yes,
                    "no" or "false" or "off" => Ssh.StrictHostKeyChecking.No,
                    "ask" => Ssh.StrictHostKeyChecking.Ask,
                    "accept-new" => Ssh.StrictHostKeyChecking.AcceptNew,
                    _ => throw Bad($"unsupported option \"{value}\"."),
                };
                break;
            case "proxycommand":
                if (ProxyJump is null)
                    ProxyCommand ??= value;
                break;
            case "proxyjump":
                if (ProxyCommand is null)
                    SetProxyJump(value);
                break;
            case "userknownhostsfile":
                UserKnownHostsFiles ??= [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
                break;
            case "ciphers":
                Ciphers ??= Valid(AlgorithmCategory.Cipher, value, $"Bad SSH2 cipher spec '{value}'.");
                break;
            case "macs":
                Macs ??= Valid(AlgorithmCategory.Mac, value, $"Bad SSH2 MAC spec '{value}'.");
                break;
            case "kexalgorithms":
                KexAlgorithms ??= Valid(AlgorithmCategory.Kex, value, $"Bad SSH2 KexAlgorithms '{value}'.");
                break;
            case "hostkeyalgorithms":
                HostKeyAlgorithms ??= Valid(AlgorithmCategory.HostKey, value, $"Bad key types '{value}'.");
                break;
            case "pubkeyacceptedalgorithms" or "pubkeyacceptedkeytypes":
                PubkeyAcceptedAlgorithms ??= Valid(AlgorithmCategory.HostKey, value, $"Bad key types '{value}'.");
                break;
            case "rekeylimit":
                ApplyRekeyLimit(value, Bad);
                break;
            case "passwordauthentication":
                PasswordAuthentication ??= Flag();
                break;
            case "kbdinteractiveauthentication" or "challengeresponseauthentication":
                KbdInteractiveAuthentication ??= Flag();
                break;
            case "pubkeyauthentication":
                PubkeyAuthentication ??= Flag();
                break;
            case "identitiesonly":
                IdentitiesOnly ??= Flag();
                break;
            case "batchmode":
                BatchMode ??= Flag();
                break;
            case "preferredauthentications":
                PreferredAuthentications ??= value;
                break;
            case "serveraliveinterval":
                ServerAliveInterval ??= TimeValue.Parse(value) ?? throw Bad("invalid time value.");
                break;
            case "serveralivecountmax":
                if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var countMax))
                    throw Bad("invalid integer value.");
                ServerAliveCountMax ??= countMax;
                break;
            case "connectionattempts":
                if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempts) || attempts <= 0)
                    throw Bad("invalid integer value.");
                ConnectionAttempts ??= attempts;
                break;
            case "connecttimeout":
                if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
                    break;
                ConnectTimeout ??= TimeValue.Parse(value) ?? throw Bad("invalid time value.");
                break;
            case "requesttty":
                SetRequestTty(value.ToLowerInvariant() switch
                {
                    "no" or "false" => Ssh.RequestTty.No,
                    "yes" or "true" => Ssh.RequestTty.Yes,
                    "force" => Ssh.RequestTty.Force,
                    "auto" => Ssh.RequestTty.Auto,
                    _ => throw Bad($"unsupported option \"{value}\"."),
                });
                break;
            case "loglevel":
                SetLogLevel(LogLevels.Parse(value) ?? throw Bad($"unsupported log level '{value}'"));
                break;
            case "compression":
                SetCompression(Flag());
                break;
            case "escapechar":
                SetEscapeChar(EscapeChars.Parse(value) ?? throw Bad("Bad escape character."));
                break;
            case "numberofpasswordprompts":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var prompts))
                    throw Bad($"Bad number '{value}'.");
                NumberOfPasswordPrompts ??= prompts;
                break;
            // OpenSSH settings accepted without effect for now, so existing command lines keep working.
            case "checkhostip" or "hashknownhosts" or "globalknownhostsfile" or "addressfamily" or "forwardagent" or "forwardx11" or "controlmaster"
                or "controlpath" or "controlpersist" or "updatehostkeys" or "visualhostkey" or "tcpkeepalive"
                or "sendenv" or "setenv" or "addkeystoagent" or "loglevelverbose" or "enableescapecommandline"
                or "host" or "match":
                break;
            default:
                throw new SshUsageException($"{source}: line {line}: Bad configuration option: {keyword.ToLowerInvariant()}\r\n");
        }
    }

    private void ApplyRekeyLimit(string value, Func<string, SshUsageException> bad)
    {
        var parts = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            throw bad("Missing argument.");
        long? bytes = null;
        if (!parts[0].Equals("default", StringComparison.OrdinalIgnoreCase))
            bytes = ByteSize.Parse(parts[0]) ?? throw bad($"Bad number '{parts[0]}': Invalid argument");
        TimeSpan? time = null;
        if (parts.Length > 1 && !parts[1].Equals("none", StringComparison.OrdinalIgnoreCase) && !parts[1].Equals("default", StringComparison.OrdinalIgnoreCase))
            time = TimeValue.Parse(parts[1]) ?? throw bad("invalid time value.");
        if (RekeyBytes is null && RekeyTime is null)
        {
            RekeyBytes = bytes;
            RekeyTime = time;
        }
    }
}
