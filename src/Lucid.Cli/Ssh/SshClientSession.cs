using System.Net;
using System.Net.Sockets;
using Lucid.Ssh;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Transport;

namespace Lucid.Cli.Ssh;

/// <summary>One run of `lucid ssh`: connect, verify the host, authenticate, run the session, return its status.
/// Everything it does comes from the effective configuration (flags and -o already folded in).</summary>
internal sealed class SshClientSession(SshInvocation invocation, EffectiveSshConfig config, SshLog log)
{
    private string _peer = "";
    private SshTransport? _transport;
    // The connection's transport for its whole life (after authentication the client owns and disposes it):
    // a fatal error's wording depends on the cipher in use.
    private SshTransport? _negotiated;

    public async Task<int> RunAsync()
    {
        var host = config.HostName;
        var port = config.Port;
        Stream stream;
        string address;
        var proxy = config.JumpHost is not null ? JumpCommand() : config.ProxyCommand;
        var proxied = proxy is not null && !proxy.Equals("none", StringComparison.OrdinalIgnoreCase);
        if (proxied)
        {
            var command = config.ExpandCommand(proxy!);
            log.Debug1($"Executing proxy command: exec {command}");
            stream = ProxyCommandStream.Start(command);
            address = "UNKNOWN"; // OpenSSH's name for a peer behind a proxy command
            _peer = "UNKNOWN port 65535";
        }
        else
        {
            Socket socket;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    socket = await TcpConnector.ConnectAsync(host, port, config, log, CancellationToken.None);
                    break;
                }
                catch (SshFatalException) when (attempt < config.ConnectionAttempts)
                {
                    // OpenSSH waits a second between attempts and says so at debug1.
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    log.Debug1("Trying again...");
                }
            }
            address = ((IPEndPoint)socket.RemoteEndPoint!).Address.ToString();
            _peer = $"{address} port {port}";
            stream = new BlockingSocketStream(socket);
        }
        await using var connection = stream;
        using var loggers = new SshLoggerProvider(log);
        var logger = loggers.CreateLogger("Lucid.Ssh");
        var verifier = new HostKeyVerifier(config, log, checkHostIp: !proxied);

        try
        {
            var transportOptions = new ClientTransportOptions
            {
                Host = host, // known_hosts is keyed by the real host name (after HostName), as in OpenSSH
                Port = port,
                PeerDescription = _peer,
                Logger = logger,
                HostKeyVerifier = (key, h, p, _) => ValueTask.FromResult(verifier.Verify(h, p, address, key.KeyType, key.Blob.Span)),
                KexAlgorithms = config.KexAlgorithms,
                Ciphers = config.Ciphers,
                Macs = config.Macs,
                HostKeyAlgorithms = verifier.OrderHostKeyAlgorithms(host, port),
                DedicatedReadThread = !proxied, // the socket's reads block (BlockingSocketStream)
                // The stdin thread seals and sends in turn; handing its sends to a pool thread measured slower
                // against OpenSSH's sshd (aes128-gcm upload 975 against 1,105 MB/s, more CPU per GiB).
                PipelineBulkSends = false,
            };
            if (!string.IsNullOrEmpty(config.VersionAddendum))
                transportOptions.SoftwareVersion += " " + config.VersionAddendum;
            if (config.Compression)
                transportOptions.Compression = ["zlib@openssh.com", "zlib", "none"];
            transportOptions.RekeyBytes = config.RekeyLimit > 0 ? config.RekeyLimit : null;
            transportOptions.RekeyInterval = config.RekeyInterval > TimeSpan.Zero ? config.RekeyInterval : null;
            if (config.ConnectTimeout is { } timeout)
                transportOptions.HandshakeTimeout = timeout;

            var user = config.User;
            log.Debug1($"Authenticating to {host}:{port} as '{user}'");
            _transport = await SshTransport.ConnectClientAsync(stream, transportOptions);
            var transport = _transport;
            _negotiated = transport;
            if (PostQuantumWarning.Applies(config, transport))
                foreach (var line in PostQuantumWarning.Lines)
                    log.Info(line);
            var context = new ClientAuthContext
            {
                Host = host,
                ServerSignatureAlgorithms = () => transport.ServerSignatureAlgorithms,
            };
            var clientOptions = new Prompts(config, log, verifier.PasswordsDisabled).CreateClientOptions(logger);
            await using var client = await SshClient.ConnectAsync(transport, clientOptions, context);
            _transport = null; // the client owns it now
            log.Verbose($"Authenticated to {host} ([{address}]:{port}) using \"{client.AuthenticatedMethod}\".");
            using var keepalive = new CancellationTokenSource();
            if (config.ServerAliveInterval > TimeSpan.Zero)
                _ = KeepAliveAsync(client, config.ServerAliveInterval, config.ServerAliveCountMax, host, keepalive.Token);
            if (invocation.StdioForwardHost is { } target)
                return await StdioForwardAsync(client, target, invocation.StdioForwardPort);
            await using var forwards = new ClientForwards(config, log);
            await forwards.StartAsync(client);
            return await new SessionRunner(invocation, config, log, client.Connection, transport).RunAsync();
        }
        catch (SshException e)
        {
            throw Fatal(e);
        }
        finally
        {
            if (_transport is not null)
                await _transport.DisposeAsync();
        }
    }

    /// <summary>
    /// ProxyJump as OpenSSH's ssh.c turns it into a proxy command: the last hop is reached by a nested ssh that
    /// itself jumps through the earlier hops (-J) and forwards stdio (-W) to this connection's target; -F and -v
    /// are passed on (-o is not, as in OpenSSH). Each hop therefore checks its own host key, reads the same
    /// configuration for its own name, and nothing but TCP is forwarded.
    /// </summary>
    private string JumpCommand()
    {
        static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = new System.Text.StringBuilder(Quote(Environment.ProcessPath ?? "lucid")).Append(" ssh");
        if (config.JumpUser is { } user)
            command.Append(" -l ").Append(Quote(user));
        if (config.JumpPort > 0)
            command.Append(" -p ").Append(config.JumpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (config.JumpExtra is { } extra)
            command.Append(" -J ").Append(Quote(extra));
        if (invocation.ConfigFile is { } file)
            command.Append(" -F ").Append(Quote(file));
        if (invocation.Verbosity > 0)
            command.Append(" -").Append('v', Math.Min(invocation.Verbosity, 3));
        // %h and %p are expanded with the target's HostName and Port like any ProxyCommand.
        command.Append(" -W '[%h]:%p' ").Append(Quote(config.JumpHost!));
        return command.ToString();
    }

    /// <summary>
    /// ServerAliveInterval: a keepalive@openssh.com request each interval; when CountMax of them are unanswered,
    /// OpenSSH's "Timeout, server HOST not responding." and exit 255 (the session cannot end cleanly then).
    /// </summary>
    private async Task KeepAliveAsync(SshClient client, TimeSpan interval, int countMax, string host, CancellationToken cancellationToken)
    {
        var unanswered = 0;
        try
        {
            while (true)
            {
                await Task.Delay(interval, cancellationToken);
                if (Volatile.Read(ref unanswered) >= countMax)
                {
                    log.Info($"Timeout, server {host} not responding.");
                    Environment.Exit(255);
                }
                Interlocked.Increment(ref unanswered);
                _ = client.Connection.SendGlobalRequestAsync("keepalive@openssh.com", default, true, cancellationToken)
                    .ContinueWith(t =>
                    {
                        // Any answer, success or failure, proves the server is alive.
                        if (t.IsCompletedSuccessfully)
                            Volatile.Write(ref unanswered, 0);
                    }, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>-W: one direct-tcpip channel carrying stdin to the target and the target's bytes to stdout.</summary>
    private static async Task<int> StdioForwardAsync(SshClient client, string targetHost, int targetPort)
    {
        var channel = await client.OpenDirectTcpIpAsync(targetHost, targetPort);
        await using var channelStream = channel.AsStream();
        using var stdin = Console.OpenStandardInput();
        using var stdout = Console.OpenStandardOutput();
        var upload = Task.Run(async () =>
        {
            await stdin.CopyToAsync(channelStream);
            await channel.SendEofAsync();
        });
        await channelStream.CopyToAsync(stdout);
        await stdout.FlushAsync();
        return 0;
    }

    /// <summary>
    /// The library's failure in OpenSSH's words (fatal() lines; some take two as OpenSSH prints), chosen by the
    /// failure's stage and cause rather than by its text.
    /// </summary>
    private SshFatalException Fatal(SshException e)
    {
        // "the connection is closed" from a request that was waiting says less than the failure that closed it.
        while (e is SshConnectionException { InnerException: SshException cause })
            e = cause;
        var text = e.Message;
        var peer = _peer;
        var atVersion = e.Stage == SshStage.Version;
        return e.Cause switch
        {
            SshFailureCause.HostKeyRejected or SshFailureCause.HostKeyMismatch => new("Host key verification failed."),
            SshFailureCause.AuthExhausted a => new($"{config.User}@{config.HostName}: Permission denied ({string.Join(',', a.MethodsLeft)})."),
            SshFailureCause.ConnectionClosed when atVersion => new($"{text}\r\nConnection closed by {peer}"),
            SshFailureCause.ConnectionLost lost when atVersion => new($"kex_exchange_identification: read: {lost.Reason}\r\nConnection reset by {peer}"),
            SshFailureCause.InvalidBanner => new($"{text}\r\nbanner exchange: Connection to {peer}: invalid format"),
            SshFailureCause.TimedOut when atVersion => new($"{text}\r\nConnection to {peer} timed out"),
            SshFailureCause.TimedOut => new($"Connection to {peer} timed out"),
            SshFailureCause.IntegrityFailure => new(IsAead()
                ? $"ssh_dispatch_run_fatal: Connection to {peer}: message authentication code incorrect"
                : $"Corrupted MAC on input.\r\nssh_dispatch_run_fatal: Connection to {peer}: message authentication code incorrect"),
            _ => new(text),
        };
    }

    private bool IsAead()
    {
        var algorithms = _negotiated?.Algorithms;
        return algorithms is null ? true : algorithms.CipherServerToClient.IsAead;
    }
}
