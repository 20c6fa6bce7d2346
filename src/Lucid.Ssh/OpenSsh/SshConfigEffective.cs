using System.Globalization;
using W = Lucid.Ssh.OpenSsh.SshConfigKeywords;

namespace Lucid.Ssh.OpenSsh;

/// <summary>StrictHostKeyChecking.</summary>
public enum SshStrictHostKeyChecking { No, AcceptNew, Yes, Ask }

/// <summary>AddressFamily.</summary>
public enum SshAddressFamily { Any, Inet, Inet6 }

/// <summary>RequestTTY.</summary>
public enum SshRequestTty { No, Yes, Force, Auto }

/// <summary>
/// The configuration in effect for one destination after every source was read and defaults applied, with typed
/// properties for what the client acts on and <see cref="FormatLikeSshG"/> for `ssh -G`. Paths that OpenSSH expands
/// only when it uses them (IdentityFile, CertificateFile, ProxyCommand, LocalCommand, KnownHostsCommand) are kept
/// as written; expand them with <see cref="ExpandPath"/> / <see cref="ExpandCommand"/>.
/// </summary>
public sealed class EffectiveSshConfig
{
    private readonly SshConfigState _o;
    private readonly SshConfigAlgorithms _algorithms;
    private readonly SshConfigLocalUser _local;

    internal EffectiveSshConfig(SshConfigState state, string hostName, SshConfigAlgorithms algorithms,
        IReadOnlyList<SshConfigMessage> log, SshConfigLocalUser local)
    {
        Log = log;
        _o = state;
        _algorithms = algorithms;
        _local = local;
        HostName = hostName;
        Diagnostics = log.Where(m => m.Level == 0).Select(m => m.Text).ToList();
        HostKeyAlgorithms = Split(SshConfigAlgorithms.Assemble(state.HostKeyAlgorithms, algorithms.DefaultKeyAlgorithms,
            algorithms.AllKeyAlgorithms) ?? algorithms.DefaultKeyAlgorithms);
        HostKeyAlgorithmsConfigured = state.HostKeyAlgorithms is not null;
    }

    /// <summary>Non-fatal messages OpenSSH would print to stderr while reading (for example "Unsupported option").</summary>
    public IReadOnlyList<string> Diagnostics { get; }

    /// <summary>Everything OpenSSH would log while resolving, debug1..debug3 messages included, in order.</summary>
    public IReadOnlyList<SshConfigMessage> Log { get; }

    /// <summary>The destination as given (`host` in -G output).</summary>
    public string Host => _o.HostArg!;
    /// <summary>The name to connect to: HostName with %h expanded, lowercased, canonicalized.</summary>
    public string HostName { get; }
    public int Port => _o.Port;
    public string User => _o.User!;
    public IReadOnlyList<string> IdentityFiles => _o.IdentityFiles.Select(f => f.Path).ToList();
    public IReadOnlyList<string> CertificateFiles => _o.CertificateFiles.Select(f => f.Path).ToList();
    public bool IdentitiesOnly => _o.IdentitiesOnly == 1;
    public string? IdentityAgent => _o.IdentityAgent;
    /// <summary>The ProxyJump hops as written, first hop first ("user@host:port" or ssh:// each); null without one.</summary>
    public IReadOnlyList<string>? ProxyJump => _o.JumpHost is null ? null : FormatJump().Split(',');
    /// <summary>The last ProxyJump hop, which a nested ssh reaches through <see cref="JumpExtra"/>; null without ProxyJump.</summary>
    public string? JumpHost => _o.JumpHost;
    public string? JumpUser => _o.JumpUser;
    /// <summary>The last hop's port; zero or less when not given.</summary>
    public int JumpPort => _o.JumpPort;
    /// <summary>The hops before the last, as written ("a,b"); null for a single hop.</summary>
    public string? JumpExtra => _o.JumpExtra;
    public string? ProxyCommand => _o.ProxyCommand;
    public bool ProxyUseFdPass => _o.ProxyUseFdPass == 1;
    public SshStrictHostKeyChecking StrictHostKeyChecking => _o.StrictHostKeyChecking switch
    {
        W.StrictOff => SshStrictHostKeyChecking.No,
        W.StrictNew => SshStrictHostKeyChecking.AcceptNew,
        W.StrictYes => SshStrictHostKeyChecking.Yes,
        _ => SshStrictHostKeyChecking.Ask,
    };
    public IReadOnlyList<string> UserKnownHostsFiles => _o.UserHostFiles;
    public IReadOnlyList<string> GlobalKnownHostsFiles => _o.SystemHostFiles;
    public string? KnownHostsCommand => _o.KnownHostsCommand;
    public string? HostKeyAlias => _o.HostKeyAlias;
    public bool HashKnownHosts => _o.HashKnownHosts == 1;
    public bool CheckHostIp => _o.CheckHostIp == 1;
    public bool UpdateHostKeys => _o.UpdateHostKeys != 0;
    public string? RevokedHostKeys => _o.RevokedHostKeys;
    public string FingerprintHash => _o.FingerprintHash!;
    public bool VisualHostKey => _o.VisualHostKey == 1;
    /// <summary>Seconds between keepalives; zero disables them.</summary>
    public TimeSpan ServerAliveInterval => TimeSpan.FromSeconds(_o.ServerAliveInterval);
    public int ServerAliveCountMax => _o.ServerAliveCountMax;
    /// <summary>Null: the system's TCP timeout.</summary>
    public TimeSpan? ConnectTimeout => _o.ConnectTimeout < 0 ? null : TimeSpan.FromSeconds(_o.ConnectTimeout);
    public int ConnectionAttempts => _o.ConnectionAttempts;
    public SshAddressFamily AddressFamily => _o.AddressFamily switch
    {
        W.AfInet => SshAddressFamily.Inet,
        W.AfInet6 => SshAddressFamily.Inet6,
        _ => SshAddressFamily.Any,
    };
    public string? BindAddress => _o.BindAddress;
    public string? BindInterface => _o.BindInterface;
    public bool TcpKeepAlive => _o.TcpKeepAlive == 1;
    public IReadOnlyList<string> Ciphers => Split(_o.Ciphers!);
    public IReadOnlyList<string> Macs => Split(_o.Macs!);
    public IReadOnlyList<string> KexAlgorithms => Split(_o.KexAlgorithms!);
    /// <summary>Host key algorithms; when <see cref="HostKeyAlgorithmsConfigured"/> is false OpenSSH instead prefers
    /// the types already recorded in known_hosts for the host.</summary>
    public IReadOnlyList<string> HostKeyAlgorithms { get; }
    public bool HostKeyAlgorithmsConfigured { get; }
    /// <summary>True unless HostKeyAlgorithms gave a list of its own (a "+" or "-" edit still counts as the default): ssh
    /// then moves the algorithms for key types known_hosts already holds for the host to the front.</summary>
    public bool HostKeyAlgorithmsFollowKnownHosts => _o.HostKeyAlgorithms is null || _o.HostKeyAlgorithms.StartsWith('+') || _o.HostKeyAlgorithms.StartsWith('-');
    public IReadOnlyList<string> PubkeyAcceptedAlgorithms => Split(_o.PubkeyAcceptedAlgorithms!);
    public IReadOnlyList<string> HostbasedAcceptedAlgorithms => Split(_o.HostbasedAcceptedAlgorithms!);
    public IReadOnlyList<string> CaSignatureAlgorithms => Split(_o.CaSignatureAlgorithms!);
    public bool BatchMode => _o.BatchMode == 1;
    public bool PubkeyAuthentication => _o.PubkeyAuthentication != W.PubkeyNo;
    public bool PasswordAuthentication => _o.PasswordAuthentication == 1;
    public bool KbdInteractiveAuthentication => _o.KbdInteractiveAuthentication == 1;
    public bool HostbasedAuthentication => _o.HostbasedAuthentication == 1;
    /// <summary>Null: OpenSSH's own order (gssapi-with-mic,publickey,keyboard-interactive,password).</summary>
    public IReadOnlyList<string>? PreferredAuthentications => _o.PreferredAuthentications is null ? null : Split(_o.PreferredAuthentications);
    public int NumberOfPasswordPrompts => _o.NumberOfPasswordPrompts;
    /// <summary>SILENT (= QUIET), FATAL, ERROR, INFO, VERBOSE, DEBUG (= DEBUG1), DEBUG2 or DEBUG3, as `ssh -G` names them.</summary>
    public string LogLevel => _o.LogLevel!;
    public SshRequestTty RequestTty => _o.RequestTty switch
    {
        W.TtyNo => SshRequestTty.No,
        W.TtyYes => SshRequestTty.Yes,
        W.TtyForce => SshRequestTty.Force,
        _ => SshRequestTty.Auto,
    };
    /// <summary>RemoteCommand with its tokens expanded.</summary>
    public string? RemoteCommand => _o.RemoteCommand;
    public string? LocalCommand => _o.LocalCommand;
    public bool PermitLocalCommand => _o.PermitLocalCommand == 1;
    /// <summary>SendEnv patterns, in order.</summary>
    public IReadOnlyList<string> SendEnv => _o.SendEnv;
    /// <summary>SetEnv NAME=value pairs, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SetEnv =>
        _o.SetEnv.Select(e => new KeyValuePair<string, string>(e[..e.IndexOf('=')], e[(e.IndexOf('=') + 1)..])).ToList();
    /// <summary>The escape character, or null for EscapeChar none.</summary>
    public char? EscapeChar => _o.EscapeChar < 0 ? null : (char)_o.EscapeChar;
    public bool Compression => _o.Compression == 1;
    /// <summary>Bytes before rekeying; 0 lets the cipher decide.</summary>
    public long RekeyLimit => _o.RekeyLimit;
    /// <summary>Time before rekeying; zero for none.</summary>
    public TimeSpan RekeyInterval => TimeSpan.FromSeconds(_o.RekeyInterval);
    /// <summary>no, yes, ask or confirm.</summary>
    public string AddKeysToAgent => W.FormatWord(_o.AddKeysToAgent, W.YesNoAskConfirm) switch { "true" => "yes", "false" => "no", var w => w };
    public TimeSpan? AddKeysToAgentLifetime => _o.AddKeysToAgentLifespan > 0 ? TimeSpan.FromSeconds(_o.AddKeysToAgentLifespan) : null;
    public bool ForwardAgent => _o.ForwardAgent == 1;
    /// <summary>ForwardAgent given as a socket path (expanded), instead of $SSH_AUTH_SOCK.</summary>
    public string? ForwardAgentSocket => _o.ForwardAgentSockPath;
    public bool ForwardX11 => _o.ForwardX11 == 1;
    public bool ForwardX11Trusted => _o.ForwardX11Trusted == 1;
    public IReadOnlyList<SshConfigForward> LocalForwards => _o.LocalForwards.Where(f => !f.IsDynamic).ToList();
    public IReadOnlyList<SshConfigForward> DynamicForwards => _o.LocalForwards.Where(f => f.IsDynamic).ToList();
    public IReadOnlyList<SshConfigForward> RemoteForwards => _o.RemoteForwards;
    public bool ExitOnForwardFailure => _o.ExitOnForwardFailure == 1;
    public bool ClearAllForwardings => _o.ClearForwardings == 1;
    public bool GatewayPorts => _o.GatewayPorts == 1;
    public string? ControlPath => _o.ControlPath;
    public bool StdinNull => _o.StdinNull == 1;
    public bool ForkAfterAuthentication => _o.ForkAfterAuthentication == 1;
    /// <summary>"none" (-N), "subsystem" (-s) or "default".</summary>
    public string SessionType => W.FormatWord(_o.SessionType, W.SessionType);
    public bool EnableEscapeCommandline => _o.EnableEscapeCommandline == 1;

    /// <summary>WarnWeakCrypto: warn when the connection's key exchange is not post-quantum.</summary>
    public bool WarnWeakCrypto => _o.WarnWeakCrypto == 1;

    /// <summary>KexAlgorithms was configured; OpenSSH's ssh then keeps quiet about a non-post-quantum exchange.</summary>
    public bool KexAlgorithmsSet => _o.KexAlgorithmsSet;
    public int RequiredRsaSize => _o.RequiredRsaSize;
    /// <summary>Tag (or -P): what `Match tagged` compared with; null when unset.</summary>
    public string? Tag => _o.Tag;
    /// <summary>Text appended to the identification string after a space; null or "" for none.</summary>
    public string? VersionAddendum => _o.VersionAddendum;
    /// <summary>ObscureKeystrokeTiming's packet interval in milliseconds; 0 when off.</summary>
    public int ObscureKeystrokeTiming => _o.ObscureKeystrokeTiming;
    /// <summary>ChannelTimeout rules (empty: no timeouts).</summary>
    public ChannelTimeouts ChannelTimeouts => ChannelTimeouts.From(_o.ChannelTimeouts.Where(t => !t.Equals("none", StringComparison.OrdinalIgnoreCase)).ToList());

    /// <summary>The effective configuration as `ssh -G` prints it (lowercase keywords, one per line).</summary>
    public string FormatLikeSshG() => SshConfigPrinter.Format(_o, HostName, string.Join(',', HostKeyAlgorithms));

    /// <summary>Expands a path option the way OpenSSH does when it uses it (IdentityFile, CertificateFile,
    /// UserKnownHostsFile...): a leading ~, then %C %d %h %i %k %L %l %n %p %r %u %% and ${VAR}.</summary>
    public string ExpandPath(string path, Func<string, string?>? environment = null) =>
        SshConfigExpansion.Expand(SshConfigExpansion.ExpandTilde(path, _local.HomeDirectory), ClientTokens(_o, HostName, _local),
            environment ?? Environment.GetEnvironmentVariable);

    /// <summary>Expands ProxyCommand-style tokens: %h (HostName), %p, %r, %n and %% (ProxyCommand, ProxyJump), and
    /// with <paramref name="allClientTokens"/> every client token (LocalCommand, KnownHostsCommand).</summary>
    public string ExpandCommand(string command, bool allClientTokens = false)
    {
        var all = ClientTokens(_o, HostName, _local);
        var tokens = allClientTokens ? all : all.Where(t => t.Key is 'h' or 'p' or 'r' or 'n').ToDictionary();
        return SshConfigExpansion.Expand(command, tokens, null);
    }

    internal static Dictionary<char, string> ClientTokens(SshConfigState o, string host, SshConfigLocalUser local)
    {
        var port = (o.Port <= 0 ? 22 : o.Port).ToString(CultureInfo.InvariantCulture);
        var user = o.User ?? local.Name;
        return new Dictionary<char, string>
        {
            ['C'] = SshConfigReader.ConnectionHash(local.HostName, host, port, user, SshConfigReader.JumpToken(o)),
            ['j'] = SshConfigReader.JumpToken(o),
            ['L'] = local.ShortHostName,
            ['i'] = local.Uid.ToString(CultureInfo.InvariantCulture),
            ['k'] = o.HostKeyAlias ?? o.HostArg ?? host,
            ['l'] = local.HostName,
            ['n'] = o.HostArg ?? host,
            ['p'] = port,
            ['d'] = local.HomeDirectory,
            ['h'] = host,
            ['r'] = user,
            ['u'] = local.Name,
        };
    }

    private string FormatJump()
    {
        var line = SshConfigPrinter.Format(_o, HostName, "").Split('\n').First(l => l.StartsWith("proxyjump ", StringComparison.Ordinal));
        return line["proxyjump ".Length..];
    }

    private static IReadOnlyList<string> Split(string list) => list.Length == 0 ? [] : list.Split(',');
}
