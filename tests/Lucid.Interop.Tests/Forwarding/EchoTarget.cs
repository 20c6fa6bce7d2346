using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Lucid.Interop.Tests.Forwarding;

/// <summary>
/// A TCP service on 127.0.0.1 for tunnels to reach: it sends back every byte it receives and closes once the client
/// has finished sending (the half-close travels through the tunnel too), so one probe checks both directions.
/// </summary>
public sealed class EchoTarget : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();

    public EchoTarget()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
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
        _listener.Stop();
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
    public static async Task<(string Sent, string Received)> ProbeAsync(int port, int size, CancellationToken ct)
    {
        var socket = await ConnectAsync(port, ct);
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
