using Lucid.Ssh;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Connection;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;

namespace Lucid.Fuzz.Targets;

/// <summary>The connection protocol (RFC 4254): channel and global messages as the read loop dispatches them.</summary>
internal static class ConnectionTargets
{
    private static readonly Lazy<(SshServerOptions Options, ServerAuthResult Auth)> Server = new(() =>
    {
        var config = SshdConfig.Parse("AcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n");
        var options = new SshServerOptions { Config = config, HostKeys = [], Backend = new FuzzServerBackend("") };
        var user = options.Backend.FindUser("fuzz")!;
        return (options, new ServerAuthResult(user, config, AuthorizedKeysOptions.None, "publickey"));
    });

    /// <summary>
    /// Each message goes to SshConnection's dispatch as the transport's read loop hands it over. The connection is
    /// both sides at once: it has opened a session of its own (local channel 0, so OPEN_CONFIRMATION, exit-status and
    /// exit-signal reach the client's parsers) and accepts "session" opens the way sshd does, so pty-req, env, exec,
    /// subsystem, window-change and signal reach the server's.
    /// </summary>
    public static void Channel(byte[] data)
    {
        var (options, auth) = Server.Value;
        var client = new ServerClientInfo("192.0.2.7", 50000, "192.0.2.1", 22);
        var connection = new SshConnection(new ScriptedPacketConnection(new byte[32], []));
        connection.ChannelOpenReceived = request =>
        {
            if (request.ChannelType != "session")
            {
                request.Reject(ChannelOpenFailureReason.AdministrativelyProhibited, "open failed");
                return;
            }
            _ = new SshServerSession(request.Accept(), auth, client, options);
        };
        connection.GlobalRequestReceived = request => request.Name == "keepalive@openssh.com";
        IPacketSink sink = connection;
        var messages = FuzzInput.Messages(data);
        // Channel ids are allocated in order: when the script starts with the peer's CHANNEL_OPEN (recorded from ssh),
        // the session it opens gets local id 0, as it did when recorded; otherwise ours does (recorded from sshd).
        int first = messages.Count > 0 && messages[0][0] == (byte)MessageNumber.ChannelOpen ? 1 : 0;
        foreach (var message in messages.Take(first))
            sink.OnPacket(message);
        var session = connection.OpenSessionAsync();
        foreach (var message in messages.Skip(first))
            sink.OnPacket(message);
        if (session.IsCompletedSuccessfully)
        {
            _ = session.Result.ExitCode;
        }
        sink.OnTransportClosed(new SshConnectionException("Connection closed by peer"));
        connection.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
    }
}
