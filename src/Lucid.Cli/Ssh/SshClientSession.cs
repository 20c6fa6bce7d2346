using System.Net;
using System.Net.Sockets;

namespace Lucid.Cli.Ssh;

/// <summary>One run of `lucid ssh`: connect, verify the host, authenticate, run the session, return its status.</summary>
internal sealed class SshClientSession(SshOptions options, SshLog log)
{
    public async Task<int> RunAsync()
    {
        var host = options.EffectiveHostName;
        var port = options.EffectivePort;
        using var socket = await TcpConnector.ConnectAsync(host, port, options.ConnectTimeout, log, CancellationToken.None);
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        _ = remote;
        await Task.CompletedTask;
        throw new SshFatalException("lucid ssh: the SSH transport is not available yet");
    }
}
