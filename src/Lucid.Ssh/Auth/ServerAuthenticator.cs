using System.Security.Cryptography;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Auth;

/// <summary>
/// The server side of RFC 4252 as OpenSSH's sshd runs it: none, publickey (query, PK_OK, signature),
/// password and keyboard-interactive; AuthenticationMethods chains with partial success; MaxAuthTries;
/// invalid users answered exactly like valid ones; PermitRootLogin and Allow/Deny lists; the Banner.
/// </summary>
internal sealed partial class ServerAuthenticator
{
    private const string ConnectionService = "ssh-connection";
    private static readonly string[] MethodOrder = ["publickey", "password", "keyboard-interactive"];

    private readonly IPacketConnection _transport;
    private readonly SshServerOptions _options;
    private readonly SshdConfig _global;
    private readonly ServerClientInfo _client;
    private readonly ILogger _log;
    private readonly ISshServerAuthentication _authentication;
    private SshServerAuthContext _authContext;

    private string? _userName;
    private SshServerUser? _user;
    private bool _valid;
    private SshdConfig _config;
    private int _failures;
    private bool _bannerSent;
    private List<List<string>>? _methodLists;
    private AuthorizedKeysOptions _keyOptions = AuthorizedKeysOptions.None;

    public ServerAuthenticator(IPacketConnection transport, SshServerOptions options, SshdConfig config, ServerClientInfo client)
    {
        _transport = transport;
        _options = options;
        _global = config;
        _config = config;
        _client = client;
        _log = options.Logger;
        _authentication = options.ResolveAuthentication();
        _authContext = new SshServerAuthContext(client, config, _log);
    }

    /// <summary>The user name being tried, for log lines after a failure ("authenticating user alice").</summary>
    public string? UserName => _userName;
    public bool UserValid => _valid;

    /// <summary>A method that checks credentials was tried (not just "none"): sshd's EXIT_AUTH_ATTEMPTED.</summary>
    public bool AuthAttempted { get; private set; }

    public async Task<ServerAuthResult> RunAsync(CancellationToken cancellationToken)
    {
        await AcceptServiceAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var request = await ReceiveRequestAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_userName is null)
                    await BeginUserAsync(request.User, cancellationToken).ConfigureAwait(false);
                else if (request.User != _userName || request.Service != ConnectionService)
                    throw Disconnect($"Change of username or service not allowed: ({_userName},{ConnectionService}) -> ({request.User},{request.Service})");
                if (request.Service != ConnectionService)
                    throw Disconnect($"Unknown service {request.Service}", DisconnectReason.ServiceNotAvailable);

                if (!_bannerSent)
                {
                    _bannerSent = true;
                    await SendBannerAsync(cancellationToken).ConfigureAwait(false);
                }

                // sshd's monitor notes an attempt for every credential it is asked to check; an invalid user's
                // public keys never reach it.
                if (request.Method is "password" or "keyboard-interactive" || (request.Method == "publickey" && _valid))
                    AuthAttempted = true;
                var (result, method, detail) = await AttemptAsync(request, cancellationToken).ConfigureAwait(false);
                if (result is AttemptResult.Postponed or AttemptResult.Abandoned)
                    continue;
                if (result == AttemptResult.Success)
                {
                    if (CompleteMethod(request.Method))
                    {
                        await CheckPamAccountAsync(cancellationToken).ConfigureAwait(false);
                        SshServerLog.Accepted(_log, method, _userName!, _client.Ip, _client.Port, detail);
                        using var success = new SshWriter(1);
                        success.WriteByte((byte)MessageNumber.UserAuthSuccess);
                        await _transport.SendAsync(success.WrittenMemory, cancellationToken).ConfigureAwait(false);
                        if (_transport is SshTransport t)
                            t.EnableDelayedCompression();
                        return new ServerAuthResult(_user!, _config, _keyOptions, method);
                    }
                    SshServerLog.Partial(_log, method, _userName!, _client.Ip, _client.Port, detail);
                    await SendFailureAsync(partial: true, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // A failure: "none" as the first request does not count (clients use it to learn the methods).
                if (request.Method != "none" || request.Attempt > 1)
                    _failures++;
                LogFailure(method, detail);
                if (_failures >= _config.MaxAuthTries)
                {
                    SshServerLog.MaxTries(_log, _valid ? "" : "invalid user ", _userName!, _client.Ip, _client.Port);
                    SshServerLog.DisconnectingPreauth(_log, _valid ? "authenticating user " : "invalid user ", _userName!, _client.Ip, _client.Port, "Too many authentication failures");
                    throw new SshProtocolException("Too many authentication failures", DisconnectReason.ProtocolError)
                        .At(SshStage.Auth, new SshFailureCause.TooManyAuthFailures());
                }
                await SendFailureAsync(partial: false, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                request.Dispose();
            }
        }
    }

    private SshProtocolException Disconnect(string message, DisconnectReason reason = DisconnectReason.ProtocolError) => new(message, reason);

    private void LogFailure(string method, string detail)
    {
        if (method == "none")
            return;
        var invalid = _valid ? "" : "invalid user ";
        // sshd logs failures at INFO for passwords, invalid users, and once half the tries are used.
        if (method == "password" || !_valid || _failures >= _config.MaxAuthTries / 2)
            SshServerLog.Failed(_log, method, invalid, _userName!, _client.Ip, _client.Port, detail);
        else
            SshServerLog.FailedVerbose(_log, method, invalid, _userName!, _client.Ip, _client.Port, detail);
    }

    private async Task AcceptServiceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            string service;
            using (var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                if (packet.Type == MessageNumber.ExtInfo)
                    continue;
                if (packet.Type != MessageNumber.ServiceRequest)
                    throw new SshProtocolException($"expected SSH_MSG_SERVICE_REQUEST, received message type {(byte)packet.Type}");
                var reader = packet.Reader();
                service = reader.ReadUtf8String();
            }
            if (service != "ssh-userauth")
                throw new SshProtocolException($"bad service request {service}", DisconnectReason.ServiceNotAvailable);
            using var accept = new SshWriter(32);
            accept.WriteByte((byte)MessageNumber.ServiceAccept).WriteString(service);
            await _transport.SendAsync(accept.WrittenMemory, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    private int _attempt;

    // A USERAUTH_REQUEST that arrived while keyboard-interactive waited for its answer.
    private SshPacket? _pendingRequest;

    private async Task<AuthRequest> ReceiveRequestAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            SshPacket packet;
            if (_pendingRequest is { } pending)
            {
                packet = pending;
                _pendingRequest = null;
            }
            else
                packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (packet.Type == MessageNumber.ExtInfo)
            {
                packet.Dispose();
                continue;
            }
            if (packet.Type != MessageNumber.UserAuthRequest)
            {
                var type = (byte)packet.Type;
                packet.Dispose();
                throw new SshProtocolException($"expected SSH_MSG_USERAUTH_REQUEST, received message type {type}");
            }
            try
            {
                var reader = packet.Reader();
                var user = reader.ReadUtf8String();
                var service = reader.ReadUtf8String();
                var method = reader.ReadUtf8String();
                return new AuthRequest(packet, user, service, method, 1 + reader.Position, ++_attempt);
            }
            catch
            {
                packet.Dispose();
                throw;
            }
        }
    }

    /// <summary>Looks the user up once, at the first request, and decides whether they may log in at all.</summary>
    private async Task BeginUserAsync(string name, CancellationToken cancellationToken)
    {
        _userName = name;
        var user = name.Length > 0 && name.Length <= 256
            ? await _authentication.FindUserAsync(name, _authContext, cancellationToken).ConfigureAwait(false)
            : null;
        if (user is null)
        {
            SshServerLog.InvalidUser(_log, name, _client.Ip, _client.Port);
            _config = _global.ForConnection(_client.MatchContext(name, [], invalidUser: true));
            _valid = false;
        }
        else
        {
            _user = user;
            _config = _global.ForConnection(_client.MatchContext(name, user.Groups));
            _valid = AllowedUser(user);
        }
        if (_config.RefuseConnection)
        {
            SshServerLog.Refused(_log, _valid ? "" : "invalid user ", name, _client.Ip, _client.Port);
            throw new RefusedByConfigException();
        }
        _methodLists = _config.AuthenticationMethods.Select(l => l.ToList()).ToList();
        _authContext = new SshServerAuthContext(_client, _config, _log);
    }

    /// <summary>auth.c allowed_user: the shell, DenyUsers, AllowUsers, DenyGroups, AllowGroups.</summary>
    private bool AllowedUser(SshServerUser user)
    {
        if (AccountLocked(user))
            return false;
        string? Why()
        {
            if (user.Shell.Length > 0 && !File.Exists(user.Shell))
                return $"shell {user.Shell} does not exist";
            foreach (var p in _config.DenyUsers)
                if (SshdConfigPatterns.MatchUser(user.Name, _client.Host, _client.Ip, p) == 1)
                    return "listed in DenyUsers";
            if (_config.AllowUsers.Count > 0 &&
                !_config.AllowUsers.Any(p => SshdConfigPatterns.MatchUser(user.Name, _client.Host, _client.Ip, p) == 1))
                return "not listed in AllowUsers";
            if (_config.DenyGroups.Count > 0 && user.Groups.Any(g => _config.DenyGroups.Any(p => SshdConfigPatterns.MatchList(g, p) == 1)))
                return "a group is listed in DenyGroups";
            if (_config.AllowGroups.Count > 0 && !user.Groups.Any(g => _config.AllowGroups.Any(p => SshdConfigPatterns.MatchList(g, p) == 1)))
                return "none of user's groups are listed in AllowGroups";
            return null;
        }
        var why = Why();
        if (why is null)
            return true;
        SshServerLog.NotAllowed(_log, user.Name, _client.Ip, why);
        return false;
    }

    private async Task SendBannerAsync(CancellationToken cancellationToken)
    {
        if (_config.Banner is not { } path)
            return;
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SshServerLog.Error(_log, $"userauth_banner: {path}: {e.Message}");
            return;
        }
        using var banner = new SshWriter(text.Length + 16);
        banner.WriteByte((byte)MessageNumber.UserAuthBanner).WriteString(text).WriteString("");
        await _transport.SendAsync(banner.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The methods the client may try next, in sshd's order, as the FAILURE message lists them.</summary>
    private IReadOnlyList<string> Allowed() =>
        MethodOrder.Where(m => MethodEnabled(m) && (_methodLists is not { Count: > 0 } lists || lists.Any(l => Head(l) == m))).ToList();

    private static string Head(List<string> list) => list[0].Split(':')[0];

    private bool MethodEnabled(string method) => method switch
    {
        "password" or "keyboard-interactive" => _config.MethodEnabled(method) && _authentication.PasswordsSupported,
        _ => _config.MethodEnabled(method),
    };

    /// <summary>
    /// auth2_update_methods_lists: a successful method is removed from the front of every list that starts
    /// with it; authentication is complete when a list runs out.
    /// </summary>
    private bool CompleteMethod(string method)
    {
        if (_methodLists is not { Count: > 0 } lists)
            return true;
        foreach (var list in lists)
        {
            if (list.Count == 0 || Head(list) != method)
                continue;
            list.RemoveAt(0);
            if (list.Count == 0)
                return true;
        }
        return false;
    }

    private async Task SendFailureAsync(bool partial, CancellationToken cancellationToken)
    {
        using var failure = new SshWriter(64);
        failure.WriteByte((byte)MessageNumber.UserAuthFailure).WriteNameList(Allowed()).WriteBoolean(partial);
        await _transport.SendAsync(failure.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Postponed: PK_OK sent, the signature comes next. Abandoned: the client dropped keyboard-interactive for a new request.</summary>
    private enum AttemptResult { Failure, Success, Postponed, Abandoned }

    private async Task<(AttemptResult, string Method, string Detail)> AttemptAsync(AuthRequest request, CancellationToken cancellationToken)
    {
        var method = request.Method;
        if (method != "none" && (!MethodOrder.Contains(method) || !MethodEnabled(method) ||
            (_methodLists is { Count: > 0 } lists && !lists.Any(l => Head(l) == method))))
            return (AttemptResult.Failure, method, "");
        switch (method)
        {
            case "none":
                return (AttemptResult.Failure, method, "");
            case "publickey":
                return await PublicKeyAsync(request, cancellationToken).ConfigureAwait(false);
            case "password":
                return await PasswordAsync(request, cancellationToken).ConfigureAwait(false);
            default:
                return await KeyboardInteractiveAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>auth_root_allowed: whether root may log in with this method.</summary>
    private bool RootAllowed(string method, AuthorizedKeysOptions? keyOptions = null)
    {
        if (_user is not { IsRoot: true })
            return true;
        var allowed = _config.PermitRootLogin switch
        {
            "yes" => true,
            "without-password" => method == "publickey",
            "forced-commands-only" => method == "publickey" && keyOptions?.ForceCommand is not null,
            _ => false,
        };
        if (!allowed)
            SshServerLog.RootRefused(_log, _client.Ip, _client.Port);
        return allowed;
    }

    private sealed class AuthRequest(SshPacket packet, string user, string service, string method, int methodDataOffset, int attempt) : IDisposable
    {
        public SshPacket Packet { get; } = packet;
        public string User { get; } = user;
        public string Service { get; } = service;
        public string Method { get; } = method;
        /// <summary>Offset in the payload where the method-specific fields start.</summary>
        public int MethodDataOffset { get; } = methodDataOffset;
        public int Attempt { get; } = attempt;
        public SshReader MethodReader() => new(Packet.Payload[MethodDataOffset..]);
        public void Dispose() => Packet.Dispose();
    }

    // auth.c format_method_key: a certificate adds its ID, serial and CA ("ED25519-CERT SHA256:... ID alice (serial 7) CA ED25519 SHA256:...").
    private static string Fingerprint(SshPublicKey key) => key is SshCertificate certificate
        ? $"{KeyFingerprint.TypeLabel(key.KeyType)} {KeyFingerprint.Format(key)} ID {certificate.KeyId} (serial {certificate.Serial}) " +
          $"CA {KeyFingerprint.TypeLabel(certificate.SignatureKey.KeyType)} {KeyFingerprint.Format(certificate.SignatureKey)}"
        : $"{KeyFingerprint.TypeLabel(key.KeyType)} {KeyFingerprint.Format(key)}";

    private static bool FixedEquals(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => CryptographicOperations.FixedTimeEquals(a, b);
}
