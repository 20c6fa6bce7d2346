using System.Net;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Connection;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Transport;
using Microsoft.Extensions.Logging;

namespace Lucid.Ssh.Server;

/// <summary>One client: the transport handshake and authentication under LoginGraceTime, then sessions.</summary>
internal sealed class SshServerConnection
{
    private readonly SshServerOptions _options;
    private readonly Stream _stream;
    private readonly ServerClientInfo _client;
    private readonly Action _authenticatedOrGone;
    private readonly ILogger _log;
    private int _released;

    /// <summary>What this connection earns its source under PerSourcePenalties (sshd's preauth exit status).</summary>
    public SourcePenaltyKind Penalty { get; private set; }

    public SshServerConnection(SshServerOptions options, Stream stream, ServerClientInfo client, Action authenticatedOrGone)
    {
        _options = options;
        _stream = stream;
        _client = client;
        _authenticatedOrGone = authenticatedOrGone;
        _log = options.Logger;
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            _authenticatedOrGone();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var config = _options.Config;
        SshServerLog.ConnectionFrom(_log, _client.Ip, _client.Port, _client.LocalIp, _client.LocalPort);
        SshTransport? transport = null;
        ServerAuthenticator? auth = null;
        ServerAuthResult result;
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (config.LoginGraceTime > TimeSpan.Zero)
            grace.CancelAfter(config.LoginGraceTime);
        try
        {
            transport = await SshTransport.AcceptServerAsync(_stream, TransportOptions(config), grace.Token).ConfigureAwait(false);
            auth = new ServerAuthenticator(transport, _options, config, _client);
            result = await auth.RunAsync(grace.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SshException or IOException or ObjectDisposedException)
        {
            var graceExpired = grace.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            Penalty = e is RefusedByConfigException ? SourcePenaltyKind.RefuseConnection
                : graceExpired ? SourcePenaltyKind.GraceExceeded
                : auth?.AuthAttempted == true ? SourcePenaltyKind.AuthFail
                : auth is { UserName: not null, UserValid: false } ? SourcePenaltyKind.InvalidUser
                : cancellationToken.IsCancellationRequested ? SourcePenaltyKind.None
                : SourcePenaltyKind.NoAuth;
            if (e is RefusedByConfigException)
            {
                // sshd's session process just exits: the client sees the connection close.
                if (transport is not null)
                    await transport.DisposeAsync().ConfigureAwait(false);
                return;
            }
            await PreauthFailedAsync(e, transport, auth, graceExpired).ConfigureAwait(false);
            return;
        }
        finally
        {
            Release();
        }

        try
        {
            await ServeAsync(transport, result, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            SshServerLog.Disconnected(_log, result.User.Name, _client.Ip, _client.Port);
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task PreauthFailedAsync(Exception e, SshTransport? transport, ServerAuthenticator? auth, bool graceExpired)
    {
        var who = auth?.UserName is { } name ? (auth.UserValid ? $"authenticating user {name} " : $"invalid user {name} ") : "";
        if (graceExpired || (e is SshConnectionException { Cause: SshFailureCause.TimedOut }))
        {
            SshServerLog.GraceTimeout(_log, _client.Ip, _client.Port);
            if (transport is not null)
                await transport.DisconnectAsync(DisconnectReason.ByApplication, "Timeout before authentication").ConfigureAwait(false);
        }
        else if (e is Auth.SshAccountDeniedException)
        {
            // sshd's fatal(): logged, then the connection just closes, once PAM's banner is out.
            SshServerLog.Error(_log, e.Message);
            if (transport is not null)
                await transport.FlushQueuedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        else if (e is SshProtocolException p)
        {
            if (p.Cause is not SshFailureCause.TooManyAuthFailures)
                SshServerLog.ProtocolProblem(_log, _client.Ip, _client.Port, p.Message);
            if (transport is not null)
                await transport.DisconnectAsync(p.Reason, p.Message).ConfigureAwait(false);
        }
        else
            SshServerLog.ClosedPreauth(_log, who, _client.Ip, _client.Port);
        if (transport is not null)
            await transport.DisposeAsync().ConfigureAwait(false);
        else
            await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private ServerTransportOptions TransportOptions(SshdConfig config)
    {
        var hostKeyAlgorithms = config.HostKeyAlgorithms;
        var rekey = config.Raw("rekeylimit");
        long? rekeyBytes = rekey is { Count: > 0 } && long.TryParse(rekey[0], out var b) && b > 0 ? b : null;
        TimeSpan? rekeyInterval = rekey is { Count: > 1 } && int.TryParse(rekey[1], out var s) && s > 0 ? TimeSpan.FromSeconds(s) : null;
        var compression = (config.Raw("compression")?[0] ?? "yes") == "no" ? new[] { "none" } : ["none", "zlib@openssh.com"];
        return new ServerTransportOptions
        {
            HostKeys = _options.HostKeys,
            KexAlgorithms = config.KexAlgorithms,
            Ciphers = config.Ciphers,
            Macs = config.Macs,
            HostKeyAlgorithms = hostKeyAlgorithms,
            Compression = compression,
            ServerSignatureAlgorithms = config.PubkeyAcceptedAlgorithms,
            RekeyBytes = rekeyBytes,
            RekeyInterval = rekeyInterval,
            HandshakeTimeout = config.LoginGraceTime > TimeSpan.Zero ? config.LoginGraceTime : TimeSpan.FromDays(1),
            SoftwareVersion = "SSH-2.0-" + _options.SoftwareVersion + (config.VersionAddendum is { } addendum ? " " + addendum : ""),
            PeerDescription = $"{_client.Ip} port {_client.Port}",
            Logger = _log,
        };
    }

    private async Task ServeAsync(SshTransport transport, ServerAuthResult auth, CancellationToken serverStopping)
    {
        var connection = new SshConnection(transport, PeerQuirks.ChannelOptionsFor(transport.RemoteVersion, SshChannelOptions.Default), _log);
        using var closed = new CancellationTokenSource();
        var idle = new SshServerIdleTimeouts(auth.Config, _client, _log);
        var context = new SshServerContext(auth, _client, _options, connection, closed.Token, idle);
        var handlers = _options.Handlers;
        connection.ChannelOpenReceived = request => handlers.DispatchChannel(context, request);
        connection.GlobalRequestHandler = request => handlers.DispatchGlobalRequest(context, request);
        connection.Start();
        using var stopKeepAlive = new CancellationTokenSource();
        var keepAlive = auth.Config.ClientAliveInterval > TimeSpan.Zero
            ? KeepAliveAsync(connection, transport, auth, stopKeepAlive.Token)
            : Task.CompletedTask;
        // The server stopping ends the connection, and with it every session (their processes are hung up).
        using var stop = serverStopping.Register(() => _ = connection.DisposeAsync().AsTask());
        var idleTimeouts = idle.Enabled ? idle.RunAsync(transport, stopKeepAlive.Token) : Task.CompletedTask;
        try
        {
            await connection.Completion.ConfigureAwait(false);
        }
        catch (SshProtocolException e)
        {
            // The client broke the connection protocol (a window overflowed or ignored, ...): packet.c's words, its
            // 100-character cap included.
            var reason = e.Message.Length > 100 ? e.Message[..100] : e.Message;
            SshServerLog.Info(_log, $"Disconnecting user {auth.User.Name} {_client.Ip} port {_client.Port}: {reason}");
        }
        catch (Exception e) when (e is SshException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client disconnected or the network failed: the normal end of a session.
        }
        finally
        {
            stopKeepAlive.Cancel();
            closed.Cancel();
            await keepAlive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await idleTimeouts.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await connection.DisposeAsync().ConfigureAwait(false);
            // Every session sees its channel end now and hangs up its processes; wait for that (it never waits for
            // a process to exit), so a stopping server has signalled them all before it goes.
            await context.SessionsEnded().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// ClientAliveInterval/CountMax: every interval a keepalive@openssh.com request (clients answer even
    /// with a failure); when CountMax of them in a row go unanswered the client is gone and is disconnected.
    /// </summary>
    private async Task KeepAliveAsync(SshConnection connection, SshTransport transport, ServerAuthResult auth, CancellationToken cancellationToken)
    {
        var interval = auth.Config.ClientAliveInterval;
        var max = Math.Max(1, auth.Config.ClientAliveCountMax);
        Task? outstanding = null;
        var missed = 0;
        try
        {
            while (true)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                if (outstanding is { IsCompleted: false })
                {
                    if (++missed >= max)
                    {
                        SshServerLog.Info(_log, $"Timeout, client not responding from user {auth.User.Name} {_client.Ip} port {_client.Port}");
                        await transport.DisconnectAsync(DisconnectReason.ByApplication, "Timeout, client not responding", CancellationToken.None).ConfigureAwait(false);
                        return;
                    }
                    continue;
                }
                missed = 0;
                outstanding = connection.SendGlobalRequestAsync("keepalive@openssh.com", default, wantReply: true, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SshException or IOException or ObjectDisposedException)
        {
            // The session ended first.
        }
    }
}
