using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Ssh.Server;

/// <summary>
/// Who may log in, decided by the host: the server runs the protocol (publickey signatures, partial success,
/// AuthenticationMethods, MaxAuthTries, AllowUsers/DenyUsers, PermitRootLogin) and asks these callbacks only
/// the questions a user store can answer. <see cref="OpenSshServerAuthentication"/> answers them as sshd does
/// (the system's users, authorized_keys, PAM); an embedding host answers from its own store.
/// </summary>
public interface ISshServerAuthentication
{
    /// <summary>The account named <paramref name="userName"/>, or null when there is none (the client is then answered exactly as for a wrong key).</summary>
    ValueTask<SshServerUser?> FindUserAsync(string userName, SshServerAuthContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="key"/> may log in as <paramref name="user"/>: null refuses it; otherwise the
    /// restrictions that come with it (<see cref="AuthorizedKeysOptions.None"/> for none). Asked both when the
    /// client offers the key and when it proves it holds the private half; the signature is checked by the server.
    /// </summary>
    ValueTask<AuthorizedKeysOptions?> AuthorizePublicKeyAsync(SshServerUser user, SshPublicKey key, SshServerAuthContext context,
        CancellationToken cancellationToken);

    /// <summary>Whether passwords can be checked at all; when false, password and keyboard-interactive are not offered.</summary>
    bool PasswordsSupported { get; }

    /// <summary>Checks a password (also the answer to keyboard-interactive's "Password: " prompt).</summary>
    ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, SshServerAuthContext context, CancellationToken cancellationToken);
}

/// <summary>What an authentication callback knows about the attempt.</summary>
public sealed class SshServerAuthContext
{
    internal SshServerAuthContext(ServerClientInfo client, SshdConfig config, Microsoft.Extensions.Logging.ILogger logger)
    {
        Client = client;
        Config = config;
        Logger = logger;
    }

    /// <summary>The client's address (IPv4-mapped addresses shown as IPv4).</summary>
    public string RemoteAddress => Client.Ip;

    /// <summary>The client's port.</summary>
    public int RemotePort => Client.Port;

    /// <summary>The address the client connected to.</summary>
    public string LocalAddress => Client.LocalIp;

    /// <summary>The port the client connected to.</summary>
    public int LocalPort => Client.LocalPort;

    /// <summary>The sshd configuration after Match for this user and address (AuthorizedKeysFile, StrictModes, ...).</summary>
    public SshdConfig Config { get; }

    /// <summary>sshd's log, for callbacks that explain a refusal.</summary>
    public Microsoft.Extensions.Logging.ILogger Logger { get; }

    internal ServerClientInfo Client { get; }
}
