namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// The option values while configuration is being read. Mirrors OpenSSH's client option record on purpose:
/// -1 / null mean "not set yet", and only an unset value may be set ("the first obtained value wins").
/// <see cref="EffectiveSshConfig"/> is the finished, defaulted view of it.
/// </summary>
internal sealed class SshConfigState
{
    public string? HostArg;
    public int ForwardAgent = -1;
    public string? ForwardAgentSockPath;
    public int ForwardX11 = -1, ForwardX11Trusted = -1, ForwardX11Timeout = -1;
    public int ClearForwardings = -1, ExitOnForwardFailure = -1;
    public string? XAuthLocation;
    public int GatewayPorts = -1, StreamLocalBindMask = -1, StreamLocalBindUnlink = -1;
    public int PubkeyAuthentication = -1;
    public int GssAuthentication = -1, GssDelegateCreds = -1, GssKeyExchange = -1, GssTrustDns = -1, GssRenewalRekey = -1;
    public string? GssClientIdentity, GssServerIdentity, GssKexAlgorithms;
    public int PasswordAuthentication = -1, KbdInteractiveAuthentication = -1;
    public string? KbdInteractiveDevices;
    public int HostbasedAuthentication = -1, BatchMode = -1, CheckHostIp = -1, StrictHostKeyChecking = -1;
    public int Compression = -1, TcpKeepAlive = -1, Port = -1, AddressFamily = -1;
    public int ConnectionAttempts = -1, ConnectTimeout = -1, NumberOfPasswordPrompts = -1;
    public string? Ciphers, Macs, KexAlgorithms, HostKeyAlgorithms, CaSignatureAlgorithms;
    public string? HostbasedAcceptedAlgorithms, PubkeyAcceptedAlgorithms;
    public readonly List<(string Path, bool UserProvided)> IdentityFiles = [];
    public readonly List<(string Path, bool UserProvided)> CertificateFiles = [];
    public string? HostName, HostKeyAlias, ProxyCommand, User;
    public string? JumpUser, JumpHost, JumpExtra;
    public int JumpPort = -1;
    public int EscapeChar = -1;
    public readonly List<string> SystemHostFiles = [], UserHostFiles = [];
    public readonly List<SshConfigForward> LocalForwards = [], RemoteForwards = [];
    public readonly List<string> PermittedRemoteOpens = [];
    public string? LogFacility, LogLevel;
    public readonly List<string> LogVerbose = [];
    public string? PreferredAuthentications, BindAddress, BindInterface, Pkcs11Provider, SecurityKeyProvider;
    public int EnableSshKeysign = -1, NoHostAuthenticationForLocalhost = -1, IdentitiesOnly = -1;
    public long RekeyLimit = -1;
    public int RekeyInterval = -1;
    public int VerifyHostKeyDns = -1, ServerAliveInterval = -1, ServerAliveCountMax = -1;
    public readonly List<string> SendEnv = [], SetEnv = [];
    public string? ControlPath;
    public int ControlMaster = -1, ControlPersist = -1, ControlPersistTimeout;
    public int HashKnownHosts = -1, TunnelMode = -1, TunnelLocal = -1, TunnelRemote = -1;
    public string? LocalCommand, RemoteCommand;
    public int PermitLocalCommand = -1;
    public int AddKeysToAgent = -1, AddKeysToAgentLifespan = -1;
    public string? IdentityAgent;
    public int VisualHostKey = -1, IpQosInteractive = -1, IpQosBulk = -1;
    public int RequestTty = -1, SessionType = -1, StdinNull = -1, ForkAfterAuthentication = -1, ProxyUseFdPass = -1;
    public string? IgnoredUnknown;
    public readonly List<string> CanonicalDomains = [];
    public readonly List<(string Source, string Target)> PermittedCnames = [];
    public int CanonicalizeMaxDots = -1, CanonicalizeFallbackLocal = -1, CanonicalizeHostname = -1;
    public string? RevokedHostKeys, KnownHostsCommand;
    public string? FingerprintHash;
    public int UpdateHostKeys = -1, RequiredRsaSize = -1, EnableEscapeCommandline = -1, WarnWeakCrypto = -1;
    /// <summary>KexAlgorithms came from the user (any form, +/-/^ included) rather than the defaults.</summary>
    public bool KexAlgorithmsSet;
    // OpenSSH 10: Tag (also ssh -P), VersionAddendum ("" for none), the keystroke interval in ms (0: off), ChannelTimeout.
    public string? Tag, VersionAddendum;
    public int ObscureKeystrokeTiming = -1;
    public readonly List<string> ChannelTimeouts = [];
}
