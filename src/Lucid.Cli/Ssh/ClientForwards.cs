using System.Net.Sockets;
using Lucid.Ssh;
using Lucid.Ssh.Client;
using Lucid.Ssh.Forwarding;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Cli.Ssh;

/// <summary>
/// ssh's LocalForward, RemoteForward and DynamicForward (-L, -R, -D), set up after authentication as
/// ssh.c's ssh_init_forwarding does, with its messages: a listener that cannot bind is "Could not request local
/// forwarding.", a remote forward the server refuses "Warning: remote port forwarding failed for listen port N",
/// and under ExitOnForwardFailure both are fatal (exit 255). Unix-socket forwards are not built in yet and refused.
/// </summary>
internal sealed class ClientForwards(EffectiveSshConfig config, SshLog log) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _active = [];

    /// <summary>Starts every forward of the configuration; throws SshFatalException where ssh would stop.</summary>
    public async Task StartAsync(SshClient client)
    {
        var all = config.LocalForwards.Concat(config.DynamicForwards).Concat(config.RemoteForwards);
        if (all.FirstOrDefault(f => f.ListenPath is not null || f.ConnectPath is not null) is { } unix)
            throw new SshFatalException($"Unix-socket forwarding ({Describe(unix)}) is not supported yet by Lucid; not connecting");
        if (config.RemoteForwards.FirstOrDefault(f => f.IsDynamic) is { } remoteSocks)
            throw new SshFatalException($"remote dynamic forwarding (-R {remoteSocks.ListenPort}) is not supported yet by Lucid; not connecting");

        var local = config.LocalForwards.Concat(config.DynamicForwards).ToList();
        var started = 0;
        foreach (var forward in local)
        {
            try
            {
                void OpenFailed(SshException e) => log.Error($"channel: {e.Message}");
                var listener = forward.IsDynamic
                    ? client.StartSocksProxy(forward.ListenHost, forward.ListenPort, config.GatewayPorts, OpenFailed)
                    : client.ForwardLocal(forward.ListenHost, forward.ListenPort, forward.ConnectHost!, forward.ConnectPort, config.GatewayPorts, OpenFailed);
                _active.Add(listener);
                started++;
                log.Debug1(forward.IsDynamic
                    ? $"Local connections to {forward.ListenHost ?? "LOCALHOST"}:{forward.ListenPort} forwarded to remote address socks:0"
                    : $"Local connections to {forward.ListenHost ?? "LOCALHOST"}:{forward.ListenPort} forwarded to remote address {forward.ConnectHost}:{forward.ConnectPort}");
            }
            catch (SocketException e)
            {
                log.Error($"bind [{forward.ListenHost ?? "127.0.0.1"}]:{forward.ListenPort}: {e.Message}");
                log.Error($"channel_setup_fwd_listener_tcpip: cannot listen to port: {forward.ListenPort}");
            }
        }
        if (local.Count > 0 && started != local.Count && config.ExitOnForwardFailure)
            throw new SshFatalException("Could not request local forwarding.");
        if (local.Count > 0 && started == 0)
            log.Error("Could not request local forwarding.");

        foreach (var forward in config.RemoteForwards)
        {
            log.Debug1($"Remote connections from {forward.ListenHost ?? "LOCALHOST"}:{forward.ListenPort} forwarded to local address {forward.ConnectHost}:{forward.ConnectPort}");
            try
            {
                var remote = await client.ForwardRemoteAsync(forward.ListenHost, forward.ListenPort, forward.ConnectHost!, forward.ConnectPort);
                remote.ConnectFailed += message => log.Error(message);
                if (forward.ListenPort == 0)
                    log.Info($"Allocated port {remote.Port} for remote forward to {forward.ConnectHost}:{forward.ConnectPort}");
                _active.Add(remote);
            }
            catch (SshException) when (!client.Completion.IsCompleted)
            {
                if (config.ExitOnForwardFailure)
                    throw new SshFatalException($"Error: remote port forwarding failed for listen port {forward.ListenPort}");
                log.Info($"Warning: remote port forwarding failed for listen port {forward.ListenPort}");
            }
        }
    }

    private static string Describe(SshConfigForward f) =>
        $"{f.ListenPath ?? f.ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {f.ConnectPath ?? f.ConnectHost}";

    public async ValueTask DisposeAsync()
    {
        foreach (var forward in _active)
            await forward.DisposeAsync();
    }
}
