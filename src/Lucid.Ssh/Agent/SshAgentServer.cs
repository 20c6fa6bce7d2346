using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Agent;

/// <summary>
/// An SSH agent anyone can host: it keeps keys (added, listed, removed over the agent protocol), signs with them,
/// honours lifetime and confirm constraints, locks and unlocks, and answers the session-bind@openssh.com and query
/// extensions. <see cref="ServeAsync"/> serves one connection (a Unix socket's, a forwarded channel's); any number
/// may run at once over the same keys. A connection that sends a malformed frame (too long, empty, cut off) is
/// closed; a malformed or unknown request gets SSH_AGENT_FAILURE; neither disturbs the other connections.
/// Not supported, and refused when asked for: destination constraints (restrict-destination-v00@openssh.com),
/// certificates held with keys, security keys and PKCS#11 smartcards.
/// </summary>
public sealed class SshAgentServer : IDisposable
{
    /// <summary>OpenSSH's AGENT_MAX_SID_LEN and AGENT_MAX_SESSION_IDS.</summary>
    private const int MaxSessionIdLength = 128, MaxSessionBindings = 16;

    private readonly SshAgentServerOptions _options;
    private readonly AgentKeyStore _keys;
    private readonly Lock _unlockGate = new();
    private int _failedUnlocks;

    public SshAgentServer(SshAgentServerOptions? options = null)
    {
        _options = options ?? new SshAgentServerOptions();
        _keys = new AgentKeyStore(_options.TimeProvider, Log);
    }

    /// <summary>The first wrong unlock's delay, growing by as much per failure (OpenSSH's 0.1 s); zero in the fuzz harness.</summary>
    internal TimeSpan UnlockFailureDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many keys the agent holds now.</summary>
    public int Count => _keys.Count;

    /// <summary>True while locked (ssh-add -x).</summary>
    public bool IsLocked => _keys.IsLocked;

    /// <summary>The keys held, as the agent lists them when unlocked.</summary>
    public IReadOnlyList<SshAgentIdentity> Identities => _keys.List();

    /// <summary>Adds a key directly (a host's own keys); the agent owns and wipes it from then on.</summary>
    public void Add(SshPrivateKey key, string comment, SshAgentKeyConstraints? constraints = null)
    {
        constraints ??= SshAgentKeyConstraints.None;
        if (constraints.Confirm && _options.Confirm is null)
            throw new InvalidOperationException("confirm-constrained keys need SshAgentServerOptions.Confirm");
        _keys.Add(key, comment, constraints.Lifetime ?? _options.DefaultLifetime, constraints.Confirm);
    }

    /// <summary>Serves one client until it hangs up, sends a malformed frame, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task ServeAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var bindings = new List<SessionBinding>();
        while (!cancellationToken.IsCancellationRequested)
        {
            byte[]? request;
            try
            {
                request = await AgentFraming.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (SshAgentFramingException e)
            {
                Log($"closing connection: {e.Message}");
                return;
            }
            if (request is null)
                return;
            byte[] reply;
            try
            {
                reply = await HandleAsync(request, bindings, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(request); // add and lock requests carry secrets
            }
            await AgentFraming.WriteAsync(stream, reply, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<byte[]> HandleAsync(byte[] request, List<SessionBinding> bindings, CancellationToken cancellationToken)
    {
        byte type = request[0];
        var body = request.AsMemory(1);
        try
        {
            if (_keys.IsLocked && type != AgentMessage.Unlock)
            {
                return type switch
                {
                    AgentMessage.RequestIdentities => IdentitiesAnswer([]),
                    AgentMessage.Extension => Extension(body.Span, bindings, locked: true),
                    _ => Status(false),
                };
            }
            return type switch
            {
                AgentMessage.RequestIdentities => IdentitiesAnswer(_keys.List()),
                AgentMessage.SignRequest => await SignAsync(body, cancellationToken).ConfigureAwait(false),
                AgentMessage.AddIdentity or AgentMessage.AddIdentityConstrained => Status(AddIdentity(body.Span)),
                AgentMessage.RemoveIdentity => Status(RemoveIdentity(body.Span)),
                AgentMessage.RemoveAllIdentities or AgentMessage.RemoveAllRsaIdentities => RemoveAll(),
                AgentMessage.Lock => Status(Lock(body.Span)),
                AgentMessage.Unlock => await UnlockAsync(body, cancellationToken).ConfigureAwait(false),
                AgentMessage.Extension => Extension(body.Span, bindings, locked: false),
                AgentMessage.AddSmartcardKey or AgentMessage.AddSmartcardKeyConstrained or AgentMessage.RemoveSmartcardKey =>
                    Refuse("PKCS#11 smartcard keys are not supported"),
                _ => Refuse($"Unknown message {type}"),
            };
        }
        catch (SshException e)
        {
            return Refuse($"parse: {e.Message}");
        }
        catch (CryptographicException e)
        {
            // Key numbers OpenSSL will not take (an RSA key whose parts do not agree, a point off the curve).
            return Refuse($"invalid key: {e.Message}");
        }
    }

    private byte[] IdentitiesAnswer(List<SshAgentIdentity> identities)
    {
        using var writer = new SshWriter(256);
        writer.WriteByte(AgentMessage.IdentitiesAnswer).WriteUInt32((uint)identities.Count);
        foreach (var identity in identities)
            writer.WriteString(identity.PublicKey.Blob.Span).WriteString(identity.Comment);
        return writer.ToArray();
    }

    private async ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var (blob, data, flags) = ParseSignRequest(body.Span);
        if (_keys.Describe(blob) is not { } held)
            return Refuse("sign request for a key the agent does not hold");
        var keyType = KeyTypeOf(blob);
        var algorithm = keyType == KeyAlgorithms.Rsa
            ? (flags & AgentMessage.FlagRsaSha512) != 0 ? KeyAlgorithms.RsaSha512
                : (flags & AgentMessage.FlagRsaSha256) != 0 ? KeyAlgorithms.RsaSha256 : KeyAlgorithms.Rsa
            : keyType;
        if (held.Confirm)
        {
            var fingerprint = KeyFingerprint.Format(blob, _options.FingerprintHash);
            bool allowed = _options.Confirm is { } confirm &&
                await confirm(new SshAgentConfirmation(held.Comment, fingerprint), cancellationToken).ConfigureAwait(false);
            if (!allowed)
                return Refuse($"user declined the use of key '{held.Comment}'");
        }
        var signature = _keys.Sign(blob, data, algorithm);
        if (signature is null)
            return Refuse($"cannot sign with {algorithm}");
        using var writer = new SshWriter(signature.Length + 16);
        writer.WriteByte(AgentMessage.SignResponse).WriteString(signature);
        return writer.ToArray();
    }

    private static (byte[] Blob, byte[] Data, uint Flags) ParseSignRequest(ReadOnlySpan<byte> body)
    {
        var reader = new SshReader(body);
        var blob = reader.ReadString().ToArray();
        var data = reader.ReadString().ToArray();
        uint flags = reader.ReadUInt32();
        return (blob, data, flags);
    }

    private static string KeyTypeOf(ReadOnlySpan<byte> blob)
    {
        var reader = new SshReader(blob);
        return Encoding.ASCII.GetString(reader.ReadString());
    }

    private bool AddIdentity(ReadOnlySpan<byte> body)
    {
        var reader = new SshReader(body);
        var keyType = Encoding.ASCII.GetString(reader.ReadString());
        if (SshCertificate.PlainTypeOf(keyType) is not null)
            return Fail($"certificates are not supported: cannot add {keyType}");
        var algorithm = KeyAlgorithms.Find(keyType);
        if (algorithm is null)
            return Fail($"unsupported key type {keyType}");
        var key = algorithm.ReadPrivate(ref reader);
        try
        {
            var comment = reader.ReadUtf8String();
            if (!TryReadConstraints(ref reader, out var lifetime, out var confirm))
            {
                key.Dispose();
                return false;
            }
            if (confirm && _options.Confirm is null)
            {
                key.Dispose();
                return Fail("confirm constraint refused: this agent has no way to ask");
            }
            _keys.Add(key, comment, lifetime ?? _options.DefaultLifetime, confirm);
            Log($"add {keyType} {KeyFingerprint.Format(key.PublicKey, _options.FingerprintHash)} \"{comment}\" " +
                $"(life: {(int)(lifetime ?? _options.DefaultLifetime ?? TimeSpan.Zero).TotalSeconds}) (confirm: {(confirm ? 1 : 0)})");
            return true;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private bool TryReadConstraints(ref SshReader reader, out TimeSpan? lifetime, out bool confirm)
    {
        lifetime = null;
        confirm = false;
        while (!reader.IsAtEnd)
        {
            switch (reader.ReadByte())
            {
                case AgentMessage.ConstrainLifetime when lifetime is null:
                    lifetime = TimeSpan.FromSeconds(reader.ReadUInt32());
                    break;
                case AgentMessage.ConstrainConfirm when !confirm:
                    confirm = true;
                    break;
                case AgentMessage.ConstrainLifetime or AgentMessage.ConstrainConfirm:
                    return Fail("constraint given twice");
                case AgentMessage.ConstrainExtension:
                    var name = Encoding.UTF8.GetString(reader.ReadString());
                    return Fail(name == AgentMessage.RestrictDestinationConstraint
                        ? "destination constraints (ssh-add -h) are not supported by this agent"
                        : $"unsupported constraint extension \"{name}\"");
                case var other:
                    return Fail($"Unknown constraint {other}");
            }
        }
        return true;
    }

    private bool RemoveIdentity(ReadOnlySpan<byte> body)
    {
        var reader = new SshReader(body);
        var blob = reader.ReadString();
        return _keys.Remove(blob) || Fail("key not found");
    }

    private byte[] RemoveAll()
    {
        _keys.RemoveAll();
        return Status(true);
    }

    private bool Lock(ReadOnlySpan<byte> body)
    {
        var reader = new SshReader(body);
        var passphrase = reader.ReadString();
        if (passphrase.IsEmpty)
            return Fail("empty password not supported");
        return _keys.Lock(passphrase) || Fail("already locked");
    }

    private async ValueTask<byte[]> UnlockAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var passphrase = ParseString(body.Span);
        bool unlocked = !passphrase.IsEmpty && _keys.Unlock(passphrase.Span);
        CryptographicOperations.ZeroMemory(passphrase.Span);
        if (unlocked)
        {
            lock (_unlockGate)
                _failedUnlocks = 0;
            Log("agent unlocked");
            return Status(true);
        }
        if (!_keys.IsLocked)
            return Status(false);
        // Guessing is slowed as OpenSSH slows it: 0.1 s more per failure, up to 10 s. Only this connection waits.
        int failures;
        lock (_unlockGate)
            failures = _failedUnlocks = Math.Min(_failedUnlocks + 1, 100);
        Log($"unlock failed, delaying {failures / 10.0:0.0} seconds");
        if (UnlockFailureDelay > TimeSpan.Zero)
            await Task.Delay(UnlockFailureDelay * failures, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        return Status(false);
    }

    private static Memory<byte> ParseString(ReadOnlySpan<byte> body)
    {
        var reader = new SshReader(body);
        return reader.ReadString().ToArray();
    }

    private byte[] Extension(ReadOnlySpan<byte> body, List<SessionBinding> bindings, bool locked)
    {
        var reader = new SshReader(body);
        var name = Encoding.UTF8.GetString(reader.ReadString());
        if (name == AgentMessage.SessionBindExtension)
            return BindSession(ref reader, bindings) ? Status(true) : [AgentMessage.ExtensionFailure];
        if (locked)
            return Refuse($"attempt to use extension \"{name}\" while locked");
        if (name != AgentMessage.QueryExtension)
            return Refuse($"unsupported extension \"{name}\"");
        using var writer = new SshWriter(64);
        writer.WriteByte(AgentMessage.ExtensionResponse).WriteString(AgentMessage.QueryExtension)
            .WriteString(AgentMessage.SessionBindExtension);
        return writer.ToArray();
    }

    /// <summary>
    /// Records which SSH session this connection serves, after checking the host key's signature over the session
    /// id; a connection bound for authentication cannot be bound again (session-bind@openssh.com).
    /// </summary>
    private bool BindSession(ref SshReader reader, List<SessionBinding> bindings)
    {
        var hostKey = SshPublicKey.FromBlob(reader.ReadString());
        var sessionId = reader.ReadString().ToArray();
        var signature = reader.ReadString();
        bool forwarding = reader.ReadByte() != 0;
        if (sessionId.Length > MaxSessionIdLength)
            return Fail("session ID too long");
        if (!hostKey.Verify(sessionId, signature))
            return Fail($"session-bind: the signature by {hostKey.KeyType} {KeyFingerprint.Format(hostKey)} does not verify");
        foreach (var bound in bindings)
        {
            if (!bound.Forwarding)
                return Fail("attempt to bind session ID to socket previously bound for authentication attempt");
            bool sameId = CryptographicOperations.FixedTimeEquals(bound.SessionId, sessionId);
            if (sameId && bound.HostKey.Equals(hostKey))
                return true;
            if (sameId)
                return Fail("session ID recorded against different key");
        }
        if (bindings.Count >= MaxSessionBindings)
            return Fail("too many session IDs recorded");
        bindings.Add(new SessionBinding(hostKey, sessionId, forwarding));
        return true;
    }

    private sealed record SessionBinding(SshPublicKey HostKey, byte[] SessionId, bool Forwarding);

    private static byte[] Status(bool success) => [success ? AgentMessage.Success : AgentMessage.Failure];

    private byte[] Refuse(string why)
    {
        Log(why);
        return Status(false);
    }

    private bool Fail(string why)
    {
        Log(why);
        return false;
    }

    private void Log(string line) => _options.Log?.Invoke(line);

    /// <summary>Forgets every key, wiping each.</summary>
    public void Dispose() => _keys.Dispose();
}
