using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Lucid.Interop.Tests.Forwarding;

/// <summary>
/// A TCP service on 127.0.0.1 for tunnels to reach: it sends back every byte it receives and closes once the client
/// has finished sending (the half-close travels through the tunnel too), so one probe checks both directions.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EchoTarget : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>On 127.0.0.1 and a free port, or with <paramref name="unixPath"/> on that Unix-domain socket (mode 0666).</summary>
    public EchoTarget(string? unixPath = null)
    {
        if (unixPath is null)
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }
        else
        {
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(unixPath));
            File.SetUnixFileMode(unixPath, (UnixFileMode)0b110_110_110);
        }
        _listener.Listen(64);
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                _ = EchoAsync(socket);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[65536];
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer)) > 0)
                    await socket.SendAsync(buffer.AsMemory(0, n));
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }

    /// <summary>A port nothing listens on (bound and released at once).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/> (retrying while nothing listens there yet, as a tunnel comes up
    /// after authentication), sends <paramref name="size"/> random bytes, and returns the SHA-256 of what was sent and
    /// of what came back before the end of stream.
    /// </summary>
    public static async Task<(string Sent, string Received)> ProbeAsync(int port, int size, CancellationToken ct) =>
        await ProbeAsync(await ConnectAsync(port, ct), size, ct);

    /// <summary>The same probe over a Unix-domain socket at <paramref name="path"/>.</summary>
    public static async Task<(string Sent, string Received)> ProbeAsync(string path, int size, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
        return await ProbeAsync(socket, size, ct);
    }

    private static async Task<(string Sent, string Received)> ProbeAsync(Socket socket, int size, CancellationToken ct)
    {
        using (socket)
        {
            var data = RandomNumberGenerator.GetBytes(size);
            var send = Task.Run(async () =>
            {
                await socket.SendAsync(data, ct);
                socket.Shutdown(SocketShutdown.Send);
            }, ct);
            using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[65536];
            int n;
            while ((n = await socket.ReceiveAsync(buffer, ct)) > 0)
                received.AppendData(buffer, 0, n);
            await send;
            return (Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(received.GetHashAndReset()));
        }
    }

    /// <summary>
    /// The probe for clients that end the whole channel when their local socket half-closes (SSH.NET does, so the
    /// echo would be cut short): sends <paramref name="size"/> random bytes without half-closing, reads back exactly as
    /// many, then closes.
    /// </summary>
    public static async Task<(string Sent, string Received)> ProbeWithoutHalfCloseAsync(int port, int size, CancellationToken ct)
    {
        using var socket = await ConnectAsync(port, ct);
        var data = RandomNumberGenerator.GetBytes(size);
        var send = Task.Run(async () => await socket.SendAsync(data, ct), ct);
        using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[65536];
        int n;
        for (var total = 0; total < size && (n = await socket.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, size - total)), ct)) > 0; total += n)
            received.AppendData(buffer, 0, n);
        await send;
        return (Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(received.GetHashAndReset()));
    }

    /// <summary>Connects, retrying refused connections until <paramref name="ct"/> ends.</summary>
    public static async Task<Socket> ConnectAsync(int port, CancellationToken ct)
    {
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                socket.Dispose();
                await Task.Delay(50, ct);
            }
        }
    }

    /// <summary>Whether 127.0.0.1:<paramref name="port"/> refuses connections now.</summary>
    public static bool Refuses(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }
}
