// An SSH server inside a .NET program, with Lucid.Ssh: users come from the program's own store (not the
// system's), and the only thing a user can run is an in-process subsystem, "upper", which answers with its
// input in capitals. Connect with OpenSSH:  ssh -p PORT -s demo@127.0.0.1 upper
//
//   dotnet run --project samples/EmbeddedServer -- [--port N] [--user NAME] [--authorized-key KEY.pub] [--password PW] [--once]
using System.Net;
using System.Net.Sockets;
using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;

var port = 0;
var once = false;
var store = new UserStore();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length: port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--user" when i + 1 < args.Length: store.UserName = args[++i]; break;
        case "--authorized-key" when i + 1 < args.Length: store.Keys.Add(SshPublicKey.ParseLine(File.ReadAllText(args[++i]))); break;
        case "--password" when i + 1 < args.Length: store.Password = args[++i]; break;
        case "--once": once = true; break;
        default:
            Console.Error.WriteLine("usage: EmbeddedServer [--port N] [--user NAME] [--authorized-key KEY.pub] [--password PW] [--once]");
            return 2;
    }
}

using var hostKey = SshPrivateKey.Generate("ed25519");
var handlers = new SshServerHandlers().SetSubsystemHandler("upper", async (session, cancellationToken) =>
{
    using var input = new StreamReader(session.Channel.AsStream(), Encoding.UTF8);
    var text = await input.ReadToEndAsync(cancellationToken);
    await session.Channel.WriteAsync(Encoding.UTF8.GetBytes(text.ToUpperInvariant()), cancellationToken);
    return 0; // the exit status the client sees
});
var options = new SshServerOptions
{
    Config = SshdConfig.Parse(""), // OpenSSH's defaults; put sshd_config lines here to change them
    HostKeys = [hostKey],
    Authentication = store,
    Handlers = handlers,
};
await using var server = new SshServer(options);

// The host brings its own listener and hands each connection to the server.
using var listener = new TcpListener(IPAddress.Loopback, port);
listener.Start();
var bound = (IPEndPoint)listener.LocalEndpoint;
Console.WriteLine($"listening on {bound.Address} port {bound.Port}");
Console.WriteLine($"host key: {hostKey.PublicKey.ToLine()}");
Console.Out.Flush();

do
{
    var socket = await listener.AcceptSocketAsync();
    var connection = server.HandleConnectionAsync(new NetworkStream(socket, ownsSocket: true),
        (IPEndPoint)socket.RemoteEndPoint!, (IPEndPoint)socket.LocalEndPoint!);
    if (once)
        await connection;
}
while (!once);
return 0;

/// <summary>The program's own users: one name, with keys and/or a password.</summary>
internal sealed class UserStore : ISshServerAuthentication
{
    public string UserName { get; set; } = "demo";
    public List<SshPublicKey> Keys { get; } = [];
    public string? Password { get; set; }

    public ValueTask<SshServerUser?> FindUserAsync(string userName, SshServerAuthContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(userName == UserName ? new SshServerUser(userName, 1000, 1000, "/nonexistent", "", []) : null);

    public ValueTask<AuthorizedKeysOptions?> AuthorizePublicKeyAsync(SshServerUser user, SshPublicKey key, SshServerAuthContext context,
        CancellationToken cancellationToken) =>
        ValueTask.FromResult(Keys.Contains(key) ? AuthorizedKeysOptions.None : null);

    public bool PasswordsSupported => Password is not null;

    public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, SshServerAuthContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Password is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(Password)));
}
