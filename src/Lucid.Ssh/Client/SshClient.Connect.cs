using System.Net;
using System.Net.Sockets;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Transport;

namespace Lucid.Ssh.Client;

public sealed partial class SshClient
{
    /// <summary>
    /// Connects over TCP, runs the transport handshake (host key checked by <see cref="SshClientOptions.HostKeyVerifier"/>),
    /// authenticates and starts the connection protocol. Every <see cref="SshException"/> thrown names its
    /// <see cref="SshException.Stage"/> and, where known, its <see cref="SshException.Cause"/>.
    /// </summary>
    /// <exception cref="SshConnectionException">DNS or TCP failed (wording: "connect to host H port P: ...") or the server went away.</exception>
    /// <exception cref="SshHostKeyVerificationException">The verifier refused the host key.</exception>
    /// <exception cref="SshAuthenticationException">"Permission denied (methods)."</exception>
    public static async Task<SshClient> ConnectAsync(string host, int port, SshClientOptions options,
        CancellationToken cancellationToken = default)
    {
        var observer = options.Observer;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.ConnectTimeout is TimeSpan limit)
            timeout.CancelAfter(limit);
        SshConnectionException Failed(SshStage stage, string reason, SshFailureCause cause, Exception? inner = null)
        {
            var error = new SshConnectionException($"connect to host {host} port {port}: {reason}", inner).At(stage, cause);
            observer?.Failed(stage, error);
            return error;
        }

        IPAddress[] addresses;
        observer?.Started(SshStage.Dns);
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            // ssh's wording: "ssh: Could not resolve hostname H: Name or service not known".
            var error = new SshConnectionException($"Could not resolve hostname {host}: {ex.Message}", ex)
                .At(SshStage.Dns, new SshFailureCause.HostNotFound(host, ex.Message));
            observer?.Failed(SshStage.Dns, error);
            throw error;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failed(SshStage.Dns, "Connection timed out", new SshFailureCause.TimedOut());
        }
        observer?.Completed(SshStage.Dns);

        observer?.Started(SshStage.Tcp);
        var tcp = new TcpClient(addresses.Length > 0 ? addresses[0].AddressFamily : AddressFamily.InterNetwork) { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(addresses, port, timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            tcp.Dispose();
            throw Failed(SshStage.Tcp, ex.Message, new SshFailureCause.ConnectFailed(host, port, ex.Message), ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            tcp.Dispose();
            throw Failed(SshStage.Tcp, "Connection timed out", new SshFailureCause.TimedOut());
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
        observer?.Completed(SshStage.Tcp);
        return await ConnectAsync(tcp.GetStream(), host, port, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The same over a stream the caller connected (a socket, a ProxyCommand's pipes, a jump host's channel).
    /// The client owns the stream from here on and closes it.
    /// </summary>
    public static async Task<SshClient> ConnectAsync(Stream stream, string host, int port, SshClientOptions options,
        CancellationToken cancellationToken = default)
    {
        var verifier = options.HostKeyVerifier ?? throw new ArgumentException(
            "SshClientOptions.HostKeyVerifier is required: decide which host keys to trust", nameof(options));
        var transportOptions = new ClientTransportOptions
        {
            Host = host,
            Port = port,
            PeerDescription = $"{host} port {port}",
            HostKeyVerifier = (key, h, p, ct) => verifier(new SshHostKeyContext(h, p, key), ct),
            RekeyBytes = options.RekeyLimitBytes,
            RekeyInterval = options.RekeyLimitTime,
            Compression = options.Compression ? ["zlib@openssh.com", "zlib", "none"] : ["none"],
            Observer = options.Observer,
        };
        if (options.Logger is { } logger)
            transportOptions.Logger = logger;
        if (options.KexAlgorithms is { } kex)
            transportOptions.KexAlgorithms = [.. kex];
        if (options.HostKeyAlgorithms is { } hostKeys)
            transportOptions.HostKeyAlgorithms = [.. hostKeys];
        if (options.Ciphers is { } ciphers)
            transportOptions.Ciphers = [.. ciphers];
        if (options.Macs is { } macs)
            transportOptions.Macs = [.. macs];

        SshTransport transport;
        try
        {
            transport = await SshTransport.ConnectClientAsync(stream, transportOptions, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        // The transport switches on delayed compression itself when USERAUTH_SUCCESS passes through it.
        var context = new ClientAuthContext { Host = host, ServerSignatureAlgorithms = () => transport.ServerSignatureAlgorithms };
        return await ConnectAsync(transport, options, context, cancellationToken).ConfigureAwait(false);
    }
}
