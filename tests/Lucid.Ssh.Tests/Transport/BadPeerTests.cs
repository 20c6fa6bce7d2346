using System.Text;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>Peers that break the protocol on purpose; each ends with a clear error within a bounded time.</summary>
public sealed class BadPeerTests
{
    private static ClientTransportOptions Client(TimeSpan? timeout = null) => new()
    {
        HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(true),
        HandshakeTimeout = timeout ?? TimeSpan.FromSeconds(10),
    };

    private static ServerTransportOptions Server(TimeSpan? timeout = null) => new()
    {
        HostKeys = TransportPair.HostKeys,
        HandshakeTimeout = timeout ?? TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Server_banner_lines_before_the_version_are_skipped()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await serverStream.WriteAsync(Encoding.ASCII.GetBytes("Welcome to the jungle\r\nplease behave\r\n"));
        var serverTask = SshTransport.AcceptServerAsync(serverStream, Server());
        await using var client = await SshTransport.ConnectClientAsync(clientStream, Client());
        await using var server = await serverTask;
        Assert.Equal(1, client.KeyExchangeCount);
    }

    [Theory]
    [InlineData("SSH-1.5-OldServer\r\n", "Protocol major versions differ: 2 vs. 1")]
    [InlineData("SSH-\r\n", "Bad remote protocol version identification: 'SSH-'")]
    public async Task Client_refuses_a_bad_version_line(string line, string message)
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await serverStream.WriteAsync(Encoding.ASCII.GetBytes(line));
        var e = await Assert.ThrowsAsync<SshProtocolException>(() => SshTransport.ConnectClientAsync(clientStream, Client()));
        Assert.Equal(message, e.Message);
        serverStream.Dispose();
    }

    [Fact]
    public async Task Client_refuses_an_endless_banner_line()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await serverStream.WriteAsync(new byte[4096].Select(_ => (byte)'x').ToArray());
        var e = await Assert.ThrowsAsync<SshProtocolException>(() => SshTransport.ConnectClientAsync(clientStream, Client()));
        Assert.Equal("kex_exchange_identification: banner line too long", e.Message);
        serverStream.Dispose();
    }

    [Fact]
    public async Task Client_reports_a_server_that_closes_during_the_banner()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await serverStream.WriteAsync(Encoding.ASCII.GetBytes("garbage\r\n"));
        serverStream.Dispose();
        var e = await Assert.ThrowsAsync<SshConnectionException>(() => SshTransport.ConnectClientAsync(clientStream, Client()));
        Assert.Equal("kex_exchange_identification: Connection closed by remote host", e.Message);
    }

    [Fact]
    public async Task Server_refuses_garbage_instead_of_a_version()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await clientStream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n"));
        var e = await Assert.ThrowsAsync<SshProtocolException>(() => SshTransport.AcceptServerAsync(serverStream, Server()));
        Assert.Equal("kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.1\"", e.Message);
        clientStream.Dispose();
    }

    [Fact]
    public async Task A_peer_that_stops_mid_kex_times_out()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await using var peer = new RawPeer(serverStream);
        await peer.WriteLineAsync("SSH-2.0-Silent_1.0");
        await peer.WritePacketAsync(new KexInitMessage
        {
            Kex = ["curve25519-sha256"], HostKey = ["ssh-ed25519"], CipherC2S = ["aes128-ctr"], CipherS2C = ["aes128-ctr"],
            MacC2S = ["hmac-sha2-256"], MacS2C = ["hmac-sha2-256"], CompressionC2S = ["none"], CompressionS2C = ["none"],
        }.Encode());
        var e = await Assert.ThrowsAsync<SshConnectionException>(() =>
            SshTransport.ConnectClientAsync(clientStream, Client(TimeSpan.FromSeconds(1))));
        Assert.Equal("Connection timed out during key exchange", e.Message);
    }

    [Fact]
    public async Task A_silent_peer_times_out_during_the_banner_exchange()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        var e = await Assert.ThrowsAsync<SshConnectionException>(() =>
            SshTransport.AcceptServerAsync(serverStream, Server(TimeSpan.FromSeconds(1))));
        Assert.Equal("Connection timed out during banner exchange", e.Message);
        clientStream.Dispose();
    }

    [Fact]
    public async Task An_oversized_packet_is_refused_without_buffering_it()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await using var peer = new RawPeer(clientStream);
        await peer.WriteLineAsync("SSH-2.0-Big_1.0");
        await peer.WriteRawAsync([0x00, 0x10, 0x00, 0x00, 0x04]); // 1 MiB announced
        var e = await Assert.ThrowsAsync<SshProtocolException>(() => SshTransport.AcceptServerAsync(serverStream, Server()));
        Assert.Equal("Bad packet length 1048576.", e.Message);
    }

    [Fact]
    public async Task Strict_kex_makes_a_packet_before_kexinit_fatal()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await using var peer = new RawPeer(clientStream);
        await peer.WriteLineAsync("SSH-2.0-Sneaky_1.0");
        await peer.WritePacketAsync([(byte)MessageNumber.Ignore, 0, 0, 0, 0]);
        await peer.WritePacketAsync(new KexInitMessage
        {
            Kex = ["curve25519-sha256", KexInitMessage.KexStrictClient], HostKey = ["ssh-ed25519"],
            CipherC2S = ["aes128-ctr"], CipherS2C = ["aes128-ctr"], MacC2S = ["hmac-sha2-256"], MacS2C = ["hmac-sha2-256"],
            CompressionC2S = ["none"], CompressionS2C = ["none"],
        }.Encode());
        var e = await Assert.ThrowsAsync<SshProtocolException>(() => SshTransport.AcceptServerAsync(serverStream, Server()));
        Assert.Equal("strict KEX violation: KEXINIT was not the first packet", e.Message);
    }

    [Fact]
    public async Task Strict_kex_makes_an_unexpected_message_during_the_first_kex_fatal()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await using var peer = new RawPeer(clientStream);
        await peer.WriteLineAsync("SSH-2.0-Sneaky_1.0");
        await peer.WritePacketAsync(new KexInitMessage
        {
            Kex = ["curve25519-sha256", KexInitMessage.KexStrictClient], HostKey = ["ssh-ed25519"],
            CipherC2S = ["aes128-ctr"], CipherS2C = ["aes128-ctr"], MacC2S = ["hmac-sha2-256"], MacS2C = ["hmac-sha2-256"],
            CompressionC2S = ["none"], CompressionS2C = ["none"],
        }.Encode());
        await peer.WritePacketAsync([(byte)MessageNumber.Ignore, 0, 0, 0, 0]);
        var e = await Assert.ThrowsAsync<SshProtocolException>(() => SshTransport.AcceptServerAsync(serverStream, Server()));
        Assert.Equal("strict KEX violation: unexpected packet type 2 (seqnr 1)", e.Message);
    }

    [Fact]
    public async Task Without_strict_kex_ignore_during_kex_is_tolerated()
    {
        var (clientStream, serverStream) = await TransportPair.SocketPairAsync();
        await using var peer = new RawPeer(clientStream);
        await peer.WriteLineAsync("SSH-2.0-Relaxed_1.0");
        await peer.WritePacketAsync([(byte)MessageNumber.Ignore, 0, 0, 0, 0]);
        await peer.WritePacketAsync(new KexInitMessage
        {
            Kex = ["curve25519-sha256"], HostKey = ["ssh-ed25519"],
            CipherC2S = ["aes128-ctr"], CipherS2C = ["aes128-ctr"], MacC2S = ["hmac-sha2-256"], MacS2C = ["hmac-sha2-256"],
            CompressionC2S = ["none"], CompressionS2C = ["none"],
        }.Encode());
        var serverTask = SshTransport.AcceptServerAsync(serverStream, Server(TimeSpan.FromSeconds(1)));
        // The server is now waiting for KEX_ECDH_INIT; it must not have failed on the IGNORE.
        var e = await Assert.ThrowsAsync<SshConnectionException>(() => serverTask);
        Assert.Equal("Connection timed out during key exchange", e.Message);
    }

    /// <summary>Speaks raw unencrypted packets, as a peer before its first NEWKEYS would.</summary>
    private sealed class RawPeer(Stream stream) : IAsyncDisposable
    {
        private readonly PacketWriter _writer = new(stream);

        public async Task WriteLineAsync(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));

        public async Task WriteRawAsync(byte[] bytes) => await stream.WriteAsync(bytes);

        public async Task WritePacketAsync(byte[] payload)
        {
            _writer.Append(payload);
            await _writer.FlushAsync(default);
        }

        public ValueTask DisposeAsync()
        {
            _writer.Dispose();
            stream.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
