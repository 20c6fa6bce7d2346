using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Agent;

/// <summary>
/// A connection to an SSH agent (OpenSSH's ssh-agent, `lucid ssh-agent`, a forwarded agent): list, add and remove
/// keys, sign with them, lock and unlock, extensions. One request at a time, as the protocol has no request ids.
/// <see cref="GetSignersAsync"/> gives an <see cref="ISshSigner"/> per key for client authentication.
/// </summary>
public sealed class SshAgentClient : IAsyncDisposable, IDisposable
{
    /// <summary>The variable that names the agent's socket.</summary>
    public const string SocketVariable = "SSH_AUTH_SOCK";

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Speaks the agent protocol over <paramref name="stream"/> (a Unix socket, a forwarded channel).</summary>
    public SshAgentClient(Stream stream, bool ownsStream = true)
    {
        _stream = stream;
        _ownsStream = ownsStream;
    }

    /// <summary>Connects to the agent listening on a Unix socket.</summary>
    /// <exception cref="SocketException">No agent there (the socket is missing, refused, or not ours to open).</exception>
    public static async Task<SshAgentClient> ConnectAsync(string socketPath, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new SshAgentClient(new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>The keys the agent holds, in its order (an empty list when it has none or is locked).</summary>
    public async Task<IReadOnlyList<SshAgentIdentity>> ListIdentitiesAsync(CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(new[] { AgentMessage.RequestIdentities }, cancellationToken).ConfigureAwait(false);
        return ParseIdentities(reply);
    }

    /// <summary>A signer for each key the agent holds; signing asks the agent (which may ask its user to confirm).</summary>
    public async Task<IReadOnlyList<SshAgentSigner>> GetSignersAsync(CancellationToken cancellationToken = default)
    {
        var identities = await ListIdentitiesAsync(cancellationToken).ConfigureAwait(false);
        return identities.Select(i => new SshAgentSigner(this, i)).ToArray();
    }

    /// <summary>Asks the agent to sign <paramref name="data"/> with <paramref name="key"/>; the signature blob.</summary>
    public async Task<byte[]> SignAsync(SshPublicKey key, ReadOnlyMemory<byte> data, string signatureAlgorithm,
        CancellationToken cancellationToken = default)
    {
        using var request = new SshWriter(data.Length + key.Blob.Length + 32);
        request.WriteByte(AgentMessage.SignRequest).WriteString(key.Blob.Span).WriteString(data.Span)
            .WriteUInt32(SignFlags(signatureAlgorithm));
        var reply = await RequestAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (reply[0] != AgentMessage.SignResponse)
            throw Unexpected(reply);
        try
        {
            var reader = new SshReader(reply.AsSpan(1));
            var signature = reader.ReadString().ToArray();
            if (SshPublicKey.SignatureAlgorithmOf(signature) != signatureAlgorithm)
                throw new SshAgentException(SshAgentFailure.InvalidReply);
            return signature;
        }
        catch (SshProtocolException e)
        {
            throw new SshAgentException(SshAgentFailure.InvalidReply, e);
        }
    }

    /// <summary>Adds a private key with its comment and constraints (ssh-add); the key material is wiped from our buffers after.</summary>
    public async Task AddIdentityAsync(SshPrivateKey key, string comment, SshAgentKeyConstraints? constraints = null,
        CancellationToken cancellationToken = default)
    {
        constraints ??= SshAgentKeyConstraints.None;
        using var request = new SshWriter(1024);
        request.WriteByte(constraints.IsEmpty ? AgentMessage.AddIdentity : AgentMessage.AddIdentityConstrained);
        request.WriteString(key.KeyType);
        key.WriteOpenSshFields(request);
        request.WriteString(comment);
        if (constraints.Lifetime is { } lifetime)
            request.WriteByte(AgentMessage.ConstrainLifetime).WriteUInt32((uint)Math.Clamp(lifetime.TotalSeconds, 0, uint.MaxValue));
        if (constraints.Confirm)
            request.WriteByte(AgentMessage.ConstrainConfirm);
        // The writer wipes the key material when disposed.
        await ExpectSuccessAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes one key (ssh-add -d).</summary>
    public Task RemoveIdentityAsync(SshPublicKey key, CancellationToken cancellationToken = default)
    {
        using var request = new SshWriter(key.Blob.Length + 8);
        request.WriteByte(AgentMessage.RemoveIdentity).WriteString(key.Blob.Span);
        return ExpectSuccessAsync(request.ToArray(), cancellationToken);
    }

    /// <summary>Removes every key (ssh-add -D).</summary>
    public Task RemoveAllIdentitiesAsync(CancellationToken cancellationToken = default) =>
        ExpectSuccessAsync(new[] { AgentMessage.RemoveAllIdentities }, cancellationToken);

    /// <summary>Locks the agent with a passphrase (ssh-add -x): it lists nothing and signs nothing until unlocked.</summary>
    public Task LockAsync(string passphrase, CancellationToken cancellationToken = default) =>
        LockOrUnlockAsync(AgentMessage.Lock, passphrase, cancellationToken);

    /// <summary>Unlocks the agent (ssh-add -X); a wrong passphrase is refused.</summary>
    public Task UnlockAsync(string passphrase, CancellationToken cancellationToken = default) =>
        LockOrUnlockAsync(AgentMessage.Unlock, passphrase, cancellationToken);

    /// <summary>The extensions the agent supports ("query"); agents without it refuse.</summary>
    public async Task<IReadOnlyList<string>> QueryExtensionsAsync(CancellationToken cancellationToken = default)
    {
        using var request = new SshWriter(16);
        request.WriteByte(AgentMessage.Extension).WriteString(AgentMessage.QueryExtension);
        var reply = await RequestAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (reply[0] != AgentMessage.ExtensionResponse)
            throw Unexpected(reply);
        try
        {
            var reader = new SshReader(reply.AsSpan(1));
            reader.ReadString(); // "query" again
            var names = new List<string>();
            while (!reader.IsAtEnd)
                names.Add(Encoding.UTF8.GetString(reader.ReadString()));
            return names;
        }
        catch (SshProtocolException e)
        {
            throw new SshAgentException(SshAgentFailure.InvalidReply, e);
        }
    }

    /// <summary>
    /// Binds this agent connection to an SSH session (session-bind@openssh.com): the server's host key, the
    /// session identifier and the host key's signature over it from the key exchange.
    /// </summary>
    public Task BindSessionAsync(SshPublicKey hostKey, ReadOnlyMemory<byte> sessionId, ReadOnlyMemory<byte> signature,
        bool forwarding, CancellationToken cancellationToken = default)
    {
        using var request = new SshWriter(hostKey.Blob.Length + sessionId.Length + signature.Length + 64);
        request.WriteByte(AgentMessage.Extension).WriteString(AgentMessage.SessionBindExtension)
            .WriteString(hostKey.Blob.Span).WriteString(sessionId.Span).WriteString(signature.Span).WriteBoolean(forwarding);
        return ExpectSuccessAsync(request.ToArray(), cancellationToken);
    }

    private async Task LockOrUnlockAsync(byte type, string passphrase, CancellationToken cancellationToken)
    {
        var secret = Encoding.UTF8.GetBytes(passphrase);
        using var request = new SshWriter(secret.Length + 8);
        request.WriteByte(type).WriteString(secret);
        CryptographicOperations.ZeroMemory(secret);
        // The writer wipes the key material when disposed.
        await ExpectSuccessAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async Task ExpectSuccessAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var reply = await RequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (reply[0] != AgentMessage.Success)
            throw Unexpected(reply);
    }

    /// <summary>One request, one reply (never empty); the agent's failure answers become <see cref="SshAgentException"/>.</summary>
    private async Task<byte[]> RequestAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AgentFraming.WriteAsync(_stream, request, cancellationToken).ConfigureAwait(false);
            return await AgentFraming.ReadAsync(_stream, cancellationToken).ConfigureAwait(false)
                ?? throw new SshAgentException(SshAgentFailure.CommunicationFailed);
        }
        catch (IOException e)
        {
            throw new SshAgentException(SshAgentFailure.CommunicationFailed, e);
        }
        catch (SocketException e)
        {
            throw new SshAgentException(SshAgentFailure.CommunicationFailed, e);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private static SshAgentException Unexpected(byte[] reply) => reply[0] switch
    {
        // SSH_COM_AGENT2_FAILURE and SSH2_AGENT_FAILURE, as authfd.c counts them, are refusals too.
        AgentMessage.Failure or AgentMessage.ExtensionFailure or 30 or 102 => new SshAgentException(SshAgentFailure.Refused),
        _ => new SshAgentException(SshAgentFailure.InvalidReply),
    };

    private static List<SshAgentIdentity> ParseIdentities(byte[] reply)
    {
        if (reply[0] != AgentMessage.IdentitiesAnswer)
            throw Unexpected(reply);
        try
        {
            var reader = new SshReader(reply.AsSpan(1));
            uint count = reader.ReadUInt32();
            // Each identity takes at least 8 bytes: a count beyond that is a lie, not a reason to allocate.
            if (count > reader.Remaining / 8)
                throw new SshAgentException(SshAgentFailure.InvalidReply);
            var identities = new List<SshAgentIdentity>((int)count);
            for (uint i = 0; i < count; i++)
            {
                var blob = reader.ReadString();
                var comment = reader.ReadUtf8String();
                SshPublicKey key;
                try
                {
                    key = SshPublicKey.FromBlob(blob);
                }
                catch (SshException)
                {
                    continue; // a key type we do not know (as ssh-add skips what it cannot parse)
                }
                identities.Add(new SshAgentIdentity(key, comment));
            }
            return identities;
        }
        catch (SshProtocolException e)
        {
            throw new SshAgentException(SshAgentFailure.InvalidReply, e);
        }
    }

    private static uint SignFlags(string signatureAlgorithm) => signatureAlgorithm switch
    {
        KeyAlgorithms.RsaSha256 or "rsa-sha2-256-cert-v01@openssh.com" => AgentMessage.FlagRsaSha256,
        KeyAlgorithms.RsaSha512 or "rsa-sha2-512-cert-v01@openssh.com" => AgentMessage.FlagRsaSha512,
        _ => 0,
    };

    public void Dispose()
    {
        if (_ownsStream)
            _stream.Dispose();
        _oneAtATime.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsStream)
            await _stream.DisposeAsync().ConfigureAwait(false);
        _oneAtATime.Dispose();
    }
}
