using System.Net;
using System.Net.Sockets;
using Lucid.Ssh;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Transport;

namespace Lucid.Cli.Ssh;

/// <summary>One run of `lucid ssh`: connect, verify the host, authenticate, run the session, return its status.</summary>
internal sealed class SshClientSession(SshOptions options, SshLog log)
{
    private string _peer = "";
    private SshTransport? _transport;

    public async Task<int> RunAsync()
    {
        var host = options.EffectiveHostName;
        var port = options.EffectivePort;
        Stream stream;
        string address;
        var proxy = options.ProxyCommand;
        if (options.ProxyJump is { } jump && !jump.Equals("none", StringComparison.OrdinalIgnoreCase))
            proxy = JumpCommand(jump);
        if (proxy is not null && !proxy.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            var command = ProxyCommandStream.Expand(proxy, host, port, options.EffectiveUser, options.Host ?? host);
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
                    socket = await TcpConnector.ConnectAsync(host, port, options.ConnectTimeout, log, CancellationToken.None);
                    break;
                }
                catch (SshFatalException) when (attempt < (options.ConnectionAttempts ?? 1))
                {
                    // OpenSSH waits a second between attempts and says so at debug1.
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    log.Debug1("Trying again...");
                }
            }
            address = ((IPEndPoint)socket.RemoteEndPoint!).Address.ToString();
            _peer = $"{address} port {port}";
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        await using var connection = stream;
        using var loggers = new SshLoggerProvider(log);
        var logger = loggers.CreateLogger("Lucid.Ssh");
        var verifier = new HostKeyVerifier(options, log);

        try
        {
            var transportOptions = new ClientTransportOptions
            {
                Host = host, // known_hosts is keyed by the real host name (after HostName), as in OpenSSH
                Port = port,
                PeerDescription = _peer,
                Logger = logger,
                HostKeyVerifier = (key, h, p, _) => ValueTask.FromResult(verifier.Verify(h, p, address, key.KeyType, key.Blob.Span)),
            };
            transportOptions.KexAlgorithms = Edit(AlgorithmCategory.Kex, options.KexAlgorithms, "KexAlgorithms");
            transportOptions.Ciphers = Edit(AlgorithmCategory.Cipher, options.Ciphers, "Ciphers");
            transportOptions.Macs = Edit(AlgorithmCategory.Mac, options.Macs, "MACs");
            transportOptions.HostKeyAlgorithms = verifier.OrderHostKeyAlgorithms(host, port, Edit(AlgorithmCategory.HostKey, options.HostKeyAlgorithms, "HostKeyAlgorithms"));
            if (options.Compression == true)
                transportOptions.Compression = ["zlib@openssh.com", "zlib", "none"];
            transportOptions.RekeyBytes = options.RekeyBytes;
            transportOptions.RekeyInterval = options.RekeyTime;
            if (options.ConnectTimeout is { } timeout)
                transportOptions.HandshakeTimeout = timeout;

            var user = options.EffectiveUser;
            log.Debug1($"Authenticating to {host}:{port} as '{user}'");
            _transport = await SshTransport.ConnectClientAsync(stream, transportOptions);
            var transport = _transport;
            var context = new ClientAuthContext
            {
                Host = host,
                ServerSignatureAlgorithms = () => transport.ServerSignatureAlgorithms,
            };
            var clientOptions = new Prompts(options, log, verifier.PasswordsDisabled).CreateClientOptions(user, logger);
            await using var client = await SshClient.ConnectAsync(transport, clientOptions, context);
            _transport = null; // the client owns it now
            log.Verbose($"Authenticated to {host} ([{address}]:{port}) using \"{client.AuthenticatedMethod}\".");
            using var keepalive = new CancellationTokenSource();
            if (options.ServerAliveInterval is { } interval && interval > TimeSpan.Zero)
                _ = KeepAliveAsync(client, interval, options.ServerAliveCountMax ?? 3, host, keepalive.Token);
            if (options.StdioForward is { } target)
                return await StdioForwardAsync(client, target);
            return await new SessionRunner(options, log, client.Connection, transport).RunAsync();
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
    /// are passed on. Each hop therefore checks its own host key and nothing but TCP is forwarded.
    /// </summary>
    private string JumpCommand(string jump)
    {
        var hops = jump.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = hops[^1];
        string? user = null;
        var at = last.LastIndexOf('@');
        if (at >= 0)
        {
            user = last[..at];
            last = last[(at + 1)..];
        }
        string? port = null;
        if (last.StartsWith('[') && last.IndexOf("]:", StringComparison.Ordinal) is var close and > 0)
        {
            port = last[(close + 2)..];
            last = last[1..close];
        }
        else if (last.IndexOf(':') is var colon and > 0 && last.IndexOf(':', colon + 1) < 0)
        {
            port = last[(colon + 1)..];
            last = last[..colon];
        }
        static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = new System.Text.StringBuilder(Quote(Environment.ProcessPath ?? "lucid")).Append(" ssh");
        if (options.Verbosity > 0)
            command.Append(" -").Append('v', options.Verbosity);
        if (options.ConfigFile is { } config)
            command.Append(" -F ").Append(Quote(config));
        if (user is not null)
            command.Append(" -l ").Append(Quote(user));
        if (port is not null)
            command.Append(" -p ").Append(Quote(port));
        if (hops.Length > 1)
            command.Append(" -J ").Append(Quote(string.Join(',', hops[..^1])));
        command.Append(" -W '[%h]:%p' ").Append(Quote(last));
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
    private static async Task<int> StdioForwardAsync(SshClient client, string target)
    {
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), out var targetPort) || targetPort is <= 0 or > 65535)
            throw new SshFatalException($"Bad stdio forwarding specification '{target}'");
        var targetHost = target[..colon].Trim('[', ']');
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

    private static IReadOnlyList<string> Edit(AlgorithmCategory category, string? spec, string keyword)
    {
        if (spec is null)
            return AlgorithmRegistry.Defaults(category);
        try
        {
            return AlgorithmRegistry.Edit(category, spec);
        }
        catch (ArgumentException)
        {
            throw new SshFatalException($"command-line line 0: Bad {keyword} '{spec}'.");
        }
    }

    /// <summary>The library's failure in OpenSSH's words (fatal() lines; some take two as OpenSSH prints).</summary>
    private SshFatalException Fatal(SshException e)
    {
        var text = e.Message;
        var peer = _peer;
        return e switch
        {
            SshHostKeyVerificationException => new("Host key verification failed."),
            SshAuthenticationException a => new($"{options.EffectiveUser}@{options.EffectiveHostName}: Permission denied ({string.Join(',', a.AllowedMethods)})."),
            _ when text == "kex_exchange_identification: Connection closed by remote host" => new($"{text}\r\nConnection closed by {peer}"),
            _ when text.StartsWith("kex_exchange_identification: read: ", StringComparison.Ordinal) => new($"{text}\r\nConnection reset by {peer}"),
            _ when text.StartsWith("kex_exchange_identification: banner line", StringComparison.Ordinal) => new($"{text}\r\nbanner exchange: Connection to {peer}: invalid format"),
            _ when text == "Connection timed out during banner exchange" => new($"{text}\r\nConnection to {peer} timed out"),
            _ when text.StartsWith("Connection timed out during", StringComparison.Ordinal) => new($"Connection to {peer} timed out"),
            SshProtocolException { Reason: DisconnectReason.MacError } => new(IsAead()
                ? $"ssh_dispatch_run_fatal: Connection to {peer}: message authentication code incorrect"
                : $"Corrupted MAC on input.\r\nssh_dispatch_run_fatal: Connection to {peer}: message authentication code incorrect"),
            _ => new(text),
        };
    }

    private bool IsAead()
    {
        var algorithms = _transport?.Algorithms;
        return algorithms is null ? true : algorithms.CipherServerToClient.IsAead;
    }
}
