using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Transport;

namespace Lucid.Cli.Keyscan;

/// <summary>
/// `lucid ssh-keyscan`: for every host and key type, one connection whose key exchange offers only that type's
/// host key algorithms; the verifier records the key and refuses it, ending the connection before anything
/// else. Keys go to stdout as known_hosts lines, "# host:port banner" comments to stderr, as OpenSSH prints them.
/// </summary>
internal static class KeyscanTool
{
    private static readonly object OutputLock = new();

    public static async Task<int> RunAsync(string[] args)
    {
        var (options, error, code) = KeyscanOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(error);
            return code;
        }

        var targets = new List<string>(options.Hosts);
        foreach (var file in options.Files)
        {
            try
            {
                var lines = file == "-" ? ReadAll(Console.In) : File.ReadAllLines(file);
                foreach (var raw in lines)
                {
                    var hash = raw.IndexOf('#');
                    var line = (hash >= 0 ? raw[..hash] : raw).Trim();
                    if (line.Length > 0)
                        targets.Add(line);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"ssh-keyscan: {file}: {(e is FileNotFoundException or DirectoryNotFoundException ? "No such file or directory" : "Permission denied")}");
                return 255;
            }
        }

        // Like OpenSSH, all connections run at once; each line is written whole.
        var found = 0;
        var scans = new List<Task>();
        foreach (var target in targets)
        {
            var fields = target.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var addresses = fields[0].Split(',', StringSplitOptions.RemoveEmptyEntries);
            var names = (fields.Length > 1 ? fields[1] : fields[0]).Split(',', StringSplitOptions.RemoveEmptyEntries);
            foreach (var type in options.Types)
                scans.Add(Task.Run(async () =>
                {
                    if (await ScanAsync(addresses, names, type, options))
                        Interlocked.Increment(ref found);
                }));
        }
        await Task.WhenAll(scans);
        return found > 0 ? 0 : 1;
    }

    private static string[] ReadAll(TextReader reader)
    {
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
            lines.Add(line);
        return [.. lines];
    }

    private static async Task<bool> ScanAsync(string[] addresses, string[] names, KeyscanType type, KeyscanOptions options)
    {
        using var cts = new CancellationTokenSource(options.Timeout);
        var (socket, connectedName) = await ConnectAsync(addresses, options, cts.Token);
        if (socket is null)
            return false;
        using var stream = new BannerRecordingStream(new NetworkStream(socket, ownsSocket: true));
        Lucid.Ssh.Keys.SshPublicKey? key = null;
        try
        {
            if (type.Supported)
            {
                var transportOptions = new ClientTransportOptions
                {
                    Host = connectedName,
                    Port = options.Port,
                    HostKeyAlgorithms = type.HostKeyAlgorithms,
                    HandshakeTimeout = options.Timeout,
                    HostKeyVerifier = (hostKey, _, _, _) =>
                    {
                        key = hostKey;
                        return ValueTask.FromResult(false); // recorded; refusing ends the connection here
                    },
                };
                await using var transport = await SshTransport.ConnectClientAsync(stream, transportOptions, cts.Token);
            }
            else
            {
                // Lucid cannot take part in a key exchange for this type; the banner is all there is to report.
                var buffer = new byte[256];
                while (stream.Banner is null && await stream.ReadAsync(buffer, cts.Token) > 0)
                {
                }
            }
        }
        catch (Exception)
        {
            // Refused keys, servers without this key type, timeouts: ssh-keyscan reports nothing for them.
        }

        lock (OutputLock)
        {
            if (stream.Banner is { } banner && !options.Quiet)
                Console.Error.WriteLine($"# {connectedName}:{options.Port} {banner}");
            if (key is null)
                return false;
            var keyText = $"{key.KeyType} {Convert.ToBase64String(key.Blob.Span)}";
            foreach (var name in names)
            {
                var hostPort = KnownHostsMatcher.HostName(name, options.Port).ToLowerInvariant();
                Console.Out.WriteLine($"{(options.Hash ? KnownHostsMatcher.Hash(hostPort) : hostPort)} {keyText}");
            }
            Console.Out.Flush();
            return true;
        }
    }

    /// <summary>Tries each address of the list in turn, as ssh-keyscan does; resolver errors are printed as OpenSSH words them.</summary>
    private static async Task<(Socket? Socket, string Name)> ConnectAsync(string[] addresses, KeyscanOptions options, CancellationToken cancellationToken)
    {
        foreach (var name in addresses)
        {
            IPAddress[] resolved;
            if (IPAddress.TryParse(name, out var literal))
            {
                resolved = [literal];
            }
            else
            {
                try
                {
                    resolved = await Dns.GetHostAddressesAsync(name, cancellationToken);
                }
                catch (SocketException e)
                {
                    lock (OutputLock)
                        Console.Error.WriteLine($"getaddrinfo {name}: {ResolverMessage(e)}");
                    continue;
                }
                catch (OperationCanceledException)
                {
                    return (null, name);
                }
            }
            foreach (var address in resolved)
            {
                if (options.Family is { } family && address.AddressFamily != family)
                    continue;
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, options.Port), cancellationToken);
                    return (socket, name);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // Refused and timed-out connections are silent in ssh-keyscan.
                    socket.Dispose();
                }
            }
        }
        return (null, "");
    }

    private static string ResolverMessage(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.TryAgain => "Temporary failure in name resolution",
        SocketError.NoData => "No address associated with hostname",
        _ => "Name or service not known",
    };
}
