using System.IO.Pipelines;
using System.Text;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Client;

/// <summary>
/// An authenticated SSH connection to a server: run commands, open sessions with streams, open other
/// channels. Create it with <see cref="ConnectAsync(string, int, SshClientOptions, CancellationToken)"/>;
/// dispose it to disconnect.
/// </summary>
public sealed partial class SshClient : IAsyncDisposable
{
    private readonly IPacketConnection _transport;
    private int _disposed;

    private SshClient(IPacketConnection transport, SshConnection connection, string authenticatedMethod)
    {
        _transport = transport;
        Connection = connection;
        AuthenticatedMethod = authenticatedMethod;
    }

    /// <summary>The connection protocol layer: channels, global requests, incoming channel handlers.</summary>
    public SshConnection Connection { get; }

    /// <summary>The transport underneath (an SshTransport for real connections).</summary>
    public IPacketConnection Transport => _transport;

    /// <summary>The authentication method that completed ("publickey", "password", ...).</summary>
    public string AuthenticatedMethod { get; }

    /// <summary>Completes when the connection ends: normally after DisposeAsync, faulted when the server or network failed.</summary>
    public Task Completion => Connection.Completion;

    /// <summary>
    /// Authenticates over an established transport and starts the connection protocol. Used by
    /// ConnectAsync and by tests and embedders that bring their own transport. On failure the transport is disposed.
    /// </summary>
    public static async Task<SshClient> ConnectAsync(IPacketConnection transport, SshClientOptions options,
        ClientAuthContext context, CancellationToken cancellationToken = default)
    {
        var observer = options.Observer;
        try
        {
            var identities = await IdentityLoader.LoadAsync(options, cancellationToken).ConfigureAwait(false);
            var authenticator = new ClientAuthenticator(transport, options, context);
            observer?.Started(SshStage.Auth);
            try
            {
                await authenticator.AuthenticateAsync(identities, cancellationToken).ConfigureAwait(false);
            }
            catch (SshException e)
            {
                e.At(SshStage.Auth, e is SshProtocolException ? new SshFailureCause.ProtocolViolation() : null);
                observer?.Failed(SshStage.Auth, e);
                throw;
            }
            observer?.Completed(SshStage.Auth);
            var connection = new SshConnection(transport, options.ChannelOptions, options.Logger);
            connection.Start();
            return new SshClient(transport, connection, authenticator.AuthenticatedMethod!);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a session channel; request a pty, exec, shell or subsystem on it.</summary>
    public Task<SshSession> OpenSessionAsync(CancellationToken cancellationToken = default) =>
        Connection.OpenSessionAsync(null, cancellationToken);

    /// <summary>
    /// Opens a direct-tcpip channel (RFC 4254 section 7.2): the server connects to <paramref name="host"/>:<paramref name="port"/>
    /// and the channel carries that TCP stream (ssh -L, -W and -J are built on this). Refusals throw SshChannelOpenException.
    /// </summary>
    public Task<SshChannel> OpenDirectTcpIpAsync(string host, int port, string originatorAddress = "127.0.0.1",
        int originatorPort = 0, CancellationToken cancellationToken = default)
    {
        using var data = new Wire.SshWriter(32 + host.Length + originatorAddress.Length);
        data.WriteString(host).WriteUInt32((uint)port).WriteString(originatorAddress).WriteUInt32((uint)originatorPort);
        return Connection.OpenChannelAsync("direct-tcpip", data.ToArray(), null, cancellationToken);
    }

    /// <summary>Runs <paramref name="command"/> with empty stdin and collects its output and exit status.</summary>
    public async Task<SshCommandResult> RunCommandAsync(string command, CancellationToken cancellationToken = default)
    {
        var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var stdout = ReadAllAsync(session.Output, cancellationToken);
            var stderr = ReadAllAsync(session.ErrorOutput, cancellationToken);
            await session.ExecAsync(command, cancellationToken).ConfigureAwait(false);
            await session.Channel.SendEofAsync(cancellationToken).ConfigureAwait(false);
            var status = await session.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new SshCommandResult(status, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    private static async Task<string> ReadAllAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var segment in result.Buffer)
                buffer.Write(segment.Span);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
                break;
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Closes every channel and disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await Connection.DisposeAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}
