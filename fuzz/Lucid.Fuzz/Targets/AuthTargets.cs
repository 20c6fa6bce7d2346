using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

namespace Lucid.Fuzz.Targets;

/// <summary>User authentication (RFC 4252, 4256) in both roles, over a scripted transport.</summary>
internal static class AuthTargets
{
    private static readonly Lazy<SshServerOptions> ServerOptions = new(() => new SshServerOptions
    {
        Config = SshdConfig.Parse("PasswordAuthentication yes\nKbdInteractiveAuthentication yes\nMaxAuthTries 64\n"),
        HostKeys = [],
        Backend = new FuzzServerBackend(RecordingKeys.AuthorizedKeys),
    });

    private static readonly Lazy<SshPrivateKey[]> ClientKeys = new(() =>
        [SshPrivateKey.Generate("ssh-ed25519"), SshPrivateKey.Generate("ecdsa-sha2-nistp256"), RecordingKeys.ClientKey]);

    /// <summary>
    /// sshd's side: the first message is the session id the transport would report (signatures cover it), the rest
    /// are the client's SERVICE_REQUEST, USERAUTH_REQUESTs (none, publickey query and signature, password,
    /// keyboard-interactive) and INFO_RESPONSEs, as OpenSSH's ssh sent them when the corpus was recorded.
    /// </summary>
    public static void Server(byte[] data)
    {
        var messages = FuzzInput.Messages(data);
        if (messages.Count == 0)
            return;
        var transport = new ScriptedPacketConnection(messages[0], messages.Skip(1).ToList());
        var authenticator = new ServerAuthenticator(transport, ServerOptions.Value, ServerOptions.Value.Config,
            new ServerClientInfo("192.0.2.7", 50000, "192.0.2.1", 22));
        authenticator.RunAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// ssh's side: the first message is the session id, the rest are the server's SERVICE_ACCEPT, USERAUTH_FAILURE,
    /// PK_OK, BANNER, INFO_REQUEST, PASSWD_CHANGEREQ and SUCCESS. The client has keys, a password and answers prompts.
    /// </summary>
    public static void Client(byte[] data)
    {
        var messages = FuzzInput.Messages(data);
        if (messages.Count == 0)
            return;
        var transport = new ScriptedPacketConnection(messages[0], messages.Skip(1).ToList());
        var options = new SshClientOptions
        {
            User = "fuzz",
            Password = FuzzServerBackend.Password,
            KeyboardInteractiveCallback = (request, _) =>
                ValueTask.FromResult<IReadOnlyList<string>?>(request.Prompts.Select(_ => FuzzServerBackend.Password).ToList()),
            PasswordChangeCallback = (_, _) => ValueTask.FromResult<SshPasswordChange?>(new SshPasswordChange(FuzzServerBackend.Password, "new-password")),
            BannerCallback = _ => { },
            PreferredAuthentications = ["publickey", "keyboard-interactive", "password"],
        };
        var context = new ClientAuthContext
        {
            Host = "host.example",
            ServerSignatureAlgorithms = () => ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"],
            Authenticated = () => { },
        };
        new ClientAuthenticator(transport, options, context).AuthenticateAsync(ClientKeys.Value).GetAwaiter().GetResult();
    }
}
