using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Auth;

/// <summary>
/// A key offered for publickey authentication. Its public half is known up front; the signer may be had only
/// when the server has said it would accept the key (PK_OK), so an encrypted key file asks for its passphrase
/// only when that can help, as OpenSSH's ssh does. The signer may be a key in memory or one held elsewhere (an agent).
/// </summary>
public sealed class ClientIdentity
{
    private readonly Func<CancellationToken, ValueTask<ISshSigner?>> _load;
    private ISshSigner? _signer;
    private bool _loaded;

    /// <summary>An identity whose private key is loaded (or decrypted) by <paramref name="load"/> when it is needed.</summary>
    public ClientIdentity(SshPublicKey publicKey, string description, Func<CancellationToken, ValueTask<SshPrivateKey?>> load)
        : this(publicKey, description, async ct => await load(ct).ConfigureAwait(false), true)
    {
    }

    /// <summary>A key in memory.</summary>
    public ClientIdentity(SshPrivateKey key)
        : this(key, key.Comment)
    {
    }

    /// <summary>Any signer (an agent's key, a hardware key); <paramref name="description"/> names it in logs.</summary>
    public ClientIdentity(ISshSigner signer, string description)
        : this(signer.PublicKey, description, _ => ValueTask.FromResult<ISshSigner?>(signer), true)
    {
    }

    private ClientIdentity(SshPublicKey publicKey, string description, Func<CancellationToken, ValueTask<ISshSigner?>> load, bool _)
    {
        PublicKey = publicKey;
        Description = description;
        _load = load;
    }

    /// <summary>An identity whose signer is obtained by <paramref name="load"/> once the server accepted the public key.</summary>
    public static ClientIdentity Deferred(SshPublicKey publicKey, string description, Func<CancellationToken, ValueTask<ISshSigner?>> load) =>
        new(publicKey, description, load, true);

    /// <summary>The key offered to the server.</summary>
    public SshPublicKey PublicKey { get; }

    /// <summary>The key file or the key's comment, for logs.</summary>
    public string Description { get; }

    /// <summary>The signer, obtained once; null when it could not be had (passphrase refused or wrong).</summary>
    public async ValueTask<ISshSigner?> GetSignerAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            _signer = await _load(cancellationToken).ConfigureAwait(false);
            _loaded = true;
        }
        return _signer;
    }
}
