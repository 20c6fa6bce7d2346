using System.Net;
using System.Net.Sockets;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// A TCP server on 127.0.0.1 that misbehaves on purpose: each accepted connection is handed to the
/// test's handler. Dispose stops it and drops open connections.
/// </summary>
internal sealed class FakePeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakePeer(Func<NetworkStream, CancellationToken, Task> handler)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await handler(client.GetStream(), _stop.Token);
                        }
                        catch (Exception)
                        {
                            // The client going away mid-conversation is part of the game.
                        }
                    }
                });
            }
        });
    }

    public int Port { get; }

    /// <summary>Reads one line (the client's identification string) so a later close is graceful, not a reset.</summary>
    public static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1 && one[0] != '\n')
            line.Add(one[0]);
        return System.Text.Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
    }

    /// <summary>Reads and discards everything until the client closes or the test ends.</summary>
    public static async Task DrainAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
