using System.Text;
using Lucid.Ssh.Client;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lucid.Ssh.Auth;

/// <summary>
/// Client side of RFC 4252 (with RFC 4256), written straight-line: ask for ssh-userauth, send "none" to
/// learn the methods, then try the preferred methods the server still allows until one succeeds. Partial
/// success simply updates the allowed list, so chained methods (publickey,password) need nothing special.
/// </summary>
public sealed partial class ClientAuthenticator
{
    private const string ConnectionService = "ssh-connection";

    private readonly IPacketConnection _transport;
    private readonly SshClientOptions _options;
    private readonly ClientAuthContext _context;
    private readonly ILogger _logger;
    private IReadOnlyList<string>? _serverSigAlgsFromExtInfo;
    private string[] _allowed = [];

    public ClientAuthenticator(IPacketConnection transport, SshClientOptions options, ClientAuthContext context)
    {
        _transport = transport;
        _options = options;
        _context = context;
        _logger = options.Logger ?? NullLogger.Instance;
    }

    /// <summary>The method that finally succeeded ("publickey", "password", ...).</summary>
    public string? AuthenticatedMethod { get; private set; }

    /// <summary>Authenticates or throws SshAuthenticationException("Permission denied (methods).").</summary>
    public Task AuthenticateAsync(IReadOnlyList<SshPrivateKey> identities, CancellationToken cancellationToken = default) =>
        AuthenticateAsync(identities.Select(k => new ClientIdentity(k)).ToArray(), cancellationToken);

    /// <summary>The same with identities whose private keys load on demand (after the server accepted the public key).</summary>
    public async Task AuthenticateAsync(IReadOnlyList<ClientIdentity> identities, CancellationToken cancellationToken = default)
    {
        await RequestServiceAsync(cancellationToken).ConfigureAwait(false);

        using (var none = BeginRequest("none"))
            await SendAsync(none, cancellationToken).ConfigureAwait(false);
        if (await ReadOutcomeAsync(cancellationToken).ConfigureAwait(false) == Outcome.Success)
        {
            Succeeded("none");
            return;
        }

        var publicKey = new PublicKeyMethod(this, identities);
        var password = new PasswordMethod(this);
        var keyboard = new KeyboardInteractiveMethod(this);
        var exhausted = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            string? method = _options.PreferredAuthentications.FirstOrDefault(m => _allowed.Contains(m) && !exhausted.Contains(m));
            if (method is null)
                throw PermissionDenied();
            LogNextMethod(method);
            var outcome = method switch
            {
                "publickey" => await publicKey.TryAsync(cancellationToken).ConfigureAwait(false),
                "password" => await password.TryAsync(cancellationToken).ConfigureAwait(false),
                "keyboard-interactive" => await keyboard.TryAsync(cancellationToken).ConfigureAwait(false),
                _ => Outcome.Exhausted,
            };
            switch (outcome)
            {
                case Outcome.Success:
                    Succeeded(method);
                    return;
                case Outcome.Exhausted:
                    exhausted.Add(method);
                    break;
                case Outcome.PartialSuccess:
                    LogPartialSuccess(method);
                    break;
            }
        }
    }

    /// <summary>OpenSSH's final words when nothing worked, listing what the server would still have accepted.</summary>
    private SshAuthenticationException PermissionDenied() =>
        new SshAuthenticationException($"Permission denied ({string.Join(',', _allowed)}).", _allowed)
            .At(SshStage.Auth, new SshFailureCause.AuthExhausted(_allowed));

    private void Succeeded(string method)
    {
        AuthenticatedMethod = method;
        LogAuthenticated(method);
        _context.Authenticated?.Invoke();
    }

    private async Task RequestServiceAsync(CancellationToken cancellationToken)
    {
        using (var request = new SshWriter(32))
        {
            request.WriteByte((byte)MessageNumber.ServiceRequest).WriteString("ssh-userauth");
            await SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        while (true)
        {
            using var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            switch (packet.Type)
            {
                case MessageNumber.ExtInfo:
                    ParseExtInfo(packet);
                    continue;
                case MessageNumber.UserAuthBanner:
                    ShowBanner(packet);
                    continue;
                case MessageNumber.ServiceAccept:
                    {
                        var reader = packet.Reader();
                        if (reader.IsAtEnd || Encoding.ASCII.GetString(reader.ReadString()) == "ssh-userauth")
                            return;
                        throw new SshProtocolException("server accepted a service we did not request");
                    }
                default:
                    throw new SshProtocolException($"expected SSH_MSG_SERVICE_ACCEPT, received message type {(byte)packet.Type}");
            }
        }
    }

    // ---- shared plumbing for the methods ----------------------------------------------------------

    internal enum Outcome
    {
        Success,
        /// <summary>The server accepted this step but wants more methods; the allowed list was updated.</summary>
        PartialSuccess,
        /// <summary>This attempt failed; the method may try again (another key, another password).</summary>
        Failure,
        /// <summary>The method has nothing more to try (no keys left, the user gave up, attempts used up).</summary>
        Exhausted,
        /// <summary>A method-specific reply (PK_OK) ended the read; the method decides what follows.</summary>
        MethodReply,
    }

    internal SshClientOptions Options => _options;
    internal ClientAuthContext Context => _context;
    internal ILogger Logger => _logger;
    internal ReadOnlyMemory<byte> SessionId => _transport.SessionId;
    internal IReadOnlyList<string> Allowed => _allowed;

    internal IReadOnlyList<string>? ServerSignatureAlgorithms =>
        _context.ServerSignatureAlgorithms?.Invoke() ?? _serverSigAlgsFromExtInfo;

    /// <summary>Starts a USERAUTH_REQUEST for <paramref name="method"/>; the caller appends method-specific fields.</summary>
    internal SshWriter BeginRequest(string method)
    {
        var writer = new SshWriter(256);
        writer.WriteByte((byte)MessageNumber.UserAuthRequest).WriteString(_options.User).WriteString(ConnectionService).WriteString(method);
        return writer;
    }

    internal ValueTask SendAsync(SshWriter message, CancellationToken cancellationToken) =>
        _transport.SendAsync(message.WrittenMemory, cancellationToken);

    /// <summary>
    /// Reads until SUCCESS or FAILURE (showing banners, noting EXT_INFO). A method-specific message (60/61)
    /// is handed to <paramref name="methodMessage"/>, which returns null to keep reading or an outcome to stop.
    /// </summary>
    internal async Task<Outcome> ReadOutcomeAsync(CancellationToken cancellationToken,
        Func<SshPacket, CancellationToken, Task<Outcome?>>? methodMessage = null)
    {
        while (true)
        {
            var packet = await _transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                switch (packet.Type)
                {
                    case MessageNumber.UserAuthSuccess:
                        return Outcome.Success;
                    case MessageNumber.UserAuthFailure:
                        {
                            var reader = packet.Reader();
                            _allowed = reader.ReadNameList();
                            bool partial = reader.ReadBoolean();
                            LogCanContinue(string.Join(',', _allowed));
                            return partial ? Outcome.PartialSuccess : Outcome.Failure;
                        }
                    case MessageNumber.UserAuthBanner:
                        ShowBanner(packet);
                        break;
                    case MessageNumber.ExtInfo:
                        ParseExtInfo(packet);
                        break;
                    case MessageNumber.UserAuthMethod60:
                    case MessageNumber.UserAuthMethod61:
                        {
                            if (methodMessage is null)
                                throw new SshProtocolException($"unexpected authentication message type {(byte)packet.Type}");
                            var outcome = await methodMessage(packet, cancellationToken).ConfigureAwait(false);
                            if (outcome is Outcome done)
                                return done;
                            break;
                        }
                    default:
                        throw new SshProtocolException($"unexpected message type {(byte)packet.Type} during authentication");
                }
            }
            finally
            {
                packet.Dispose();
            }
        }
    }

    private void ShowBanner(SshPacket packet)
    {
        var reader = packet.Reader();
        string message = reader.ReadUtf8String();
        _options.BannerCallback?.Invoke(message);
    }

    private void ParseExtInfo(SshPacket packet)
    {
        var reader = packet.Reader();
        uint count = reader.ReadUInt32();
        for (uint i = 0; i < count; i++)
        {
            string name = Encoding.ASCII.GetString(reader.ReadString());
            var value = reader.ReadString();
            if (name == "server-sig-algs")
                _serverSigAlgsFromExtInfo = Encoding.ASCII.GetString(value).Split(',', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Authentications that can continue: {Methods}")]
    private partial void LogCanContinue(string methods);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Next authentication method: {Method}")]
    private partial void LogNextMethod(string method);

    [LoggerMessage(Level = LogLevel.Information, Message = "Authenticated using \"{Method}\" with partial success.")]
    private partial void LogPartialSuccess(string method);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Authentication succeeded ({Method}).")]
    private partial void LogAuthenticated(string method);
}
