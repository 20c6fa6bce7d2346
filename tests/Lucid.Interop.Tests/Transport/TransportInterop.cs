using System.Text;
using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;

namespace Lucid.Interop.Tests.Transport;

/// <summary>Helpers for driving our transport against a real sshd.</summary>
internal static class TransportInterop
{
    public static async Task<SshTransport> ConnectAsync(OpenSshServer server, Action<ClientTransportOptions>? configure = null,
        List<string>? log = null, CancellationToken cancellationToken = default)
    {
        var tcp = await server.ConnectTcpAsync(cancellationToken);
        var options = new ClientTransportOptions
        {
            Host = server.Host,
            Port = server.Port,
            PeerDescription = $"{server.Host} port {server.Port}",
            HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
            HandshakeTimeout = TimeSpan.FromSeconds(20),
        };
        if (log is not null)
            options.Logger = new ListLogger(log);
        configure?.Invoke(options);
        return await SshTransport.ConnectClientAsync(tcp.GetStream(), options, cancellationToken);
    }

    /// <summary>SERVICE_REQUEST "ssh-userauth" → SERVICE_ACCEPT proves both directions' keys work.</summary>
    public static async Task RequestUserAuthServiceAsync(IPacketConnection connection, bool withIgnorePackets = false)
    {
        if (withIgnorePackets)
        {
            // Packets of many sizes (both sides of the 1024-byte UMAC chunk, odd and even sequence numbers)
            // that sshd must authenticate and then ignore before it answers.
            foreach (int size in new[] { 0, 1, 15, 16, 17, 255, 1000, 1023, 1024, 1025, 4000, 32000 })
            {
                using var ignore = new SshWriter(size + 8);
                ignore.WriteByte((byte)MessageNumber.Ignore).WriteString(new byte[size]);
                await connection.SendAsync(ignore.WrittenMemory);
            }
        }
        using var request = new SshWriter();
        request.WriteByte((byte)MessageNumber.ServiceRequest).WriteString("ssh-userauth");
        await connection.SendAsync(request.WrittenMemory);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var reply = await connection.ReceiveAsync(cts.Token);
        Assert.Equal(MessageNumber.ServiceAccept, reply.Type);
        var reader = reply.Reader();
        Assert.Equal("ssh-userauth", reader.ReadUtf8String());
    }
}

internal sealed class ListLogger(List<string> lines) : Microsoft.Extensions.Logging.ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
        Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (lines)
            lines.Add(formatter(state, exception));
    }
}
