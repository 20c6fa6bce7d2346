using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Auth;

/// <summary>
/// A key offered for publickey authentication. Its public half is known up front; the private half may be
/// loaded only when the server has said it would accept the key (PK_OK), so an encrypted key file asks for
/// its passphrase only when that can help, as OpenSSH's ssh does.
/// </summary>
public sealed class ClientIdentity
{
    private readonly Func<CancellationToken, ValueTask<SshPrivateKey?>> _load;
    private SshPrivateKey? _key;
    private bool _loaded;

    public ClientIdentity(SshPublicKey publicKey, string description, Func<CancellationToken, ValueTask<SshPrivateKey?>> load)
    {
        PublicKey = publicKey;
        Description = description;
        _load = load;
    }

    public ClientIdentity(SshPrivateKey key)
        : this(key.PublicKey, key.Comment, _ => ValueTask.FromResult<SshPrivateKey?>(key))
    {
    }

    public SshPublicKey PublicKey { get; }

    /// <summary>The key file or the key's comment, for logs.</summary>
    public string Description { get; }

    /// <summary>The private key, loaded once; null when it could not be had (passphrase refused or wrong).</summary>
    public async ValueTask<SshPrivateKey?> GetPrivateKeyAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            _key = await _load(cancellationToken).ConfigureAwait(false);
            _loaded = true;
        }
        return _key;
    }
}
