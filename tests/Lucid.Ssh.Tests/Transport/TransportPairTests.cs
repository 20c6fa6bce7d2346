using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Transport;

/// <summary>Our client against our server: both roles of every algorithm, rekeying under load, guesses, compression.</summary>
public sealed class TransportPairTests
{
    public static TheoryData<string> KexNames => [.. AlgorithmRegistry.Kex.Select(k => k.Name)];
    public static TheoryData<string> HostKeyNames => [.. AlgorithmRegistry.HostKey.Select(k => k.Name)];
    public static TheoryData<string> CipherNames => [.. AlgorithmRegistry.Cipher.Select(k => k.Name)];
    public static TheoryData<string> MacNames => [.. AlgorithmRegistry.Mac.Where(m => m.EnabledByDefault || m.Name.Contains("sha1")).Select(k => k.Name)];
    public static TheoryData<string> CompressionNames => [.. AlgorithmRegistry.Compression.Select(k => k.Name)];

    [Theory]
    [MemberData(nameof(KexNames))]
    public async Task Each_kex_works_in_both_roles(string kex)
    {
        await using var pair = await TransportPair.StartAsync(c => c.KexAlgorithms = [kex], s => s.KexAlgorithms = [kex]);
        await AssertExchangeAsync(pair);
        Assert.Equal(kex, pair.Client.Algorithms!.Kex.Name);
        Assert.True(pair.Client.SessionId.Span.SequenceEqual(pair.Server.SessionId.Span));
    }

    [Theory]
    [MemberData(nameof(HostKeyNames))]
    public async Task Each_host_key_algorithm_signs_and_verifies(string algorithm)
    {
        await using var pair = await TransportPair.StartAsync(c => c.HostKeyAlgorithms = [algorithm], s => s.HostKeyAlgorithms = [algorithm]);
        await AssertExchangeAsync(pair);
        Assert.Equal(algorithm, pair.Client.Algorithms!.HostKey.Name);
        Assert.Equal(pair.Server.HostKey, pair.Client.HostKey);
    }

    [Theory]
    [MemberData(nameof(CipherNames))]
    public async Task Each_cipher_works_in_both_directions(string cipher)
    {
        await using var pair = await TransportPair.StartAsync(c => c.Ciphers = [cipher], s => s.Ciphers = [cipher]);
        await AssertExchangeAsync(pair);
        Assert.Equal(cipher, pair.Server.Algorithms!.CipherServerToClient.Name);
    }

    [Theory]
    [MemberData(nameof(MacNames))]
    public async Task Each_mac_works_with_aes_ctr(string mac)
    {
        await using var pair = await TransportPair.StartAsync(
            c => (c.Ciphers, c.Macs) = (["aes256-ctr"], [mac]),
            s => (s.Ciphers, s.Macs) = (["aes256-ctr"], [mac]));
        await AssertExchangeAsync(pair);
        Assert.Equal(mac, pair.Client.Algorithms!.MacServerToClient!.Name);
    }

    [Theory]
    [MemberData(nameof(CompressionNames))]
    public async Task Each_compression_method_carries_data_before_and_after_authentication(string compression)
    {
        await using var pair = await TransportPair.StartAsync(c => c.Compression = [compression], s => s.Compression = [compression]);
        await AssertExchangeAsync(pair);
        await AuthenticateAsync(pair);
        await AssertExchangeAsync(pair, size: 100_000);
        Assert.Equal(compression, pair.Client.Algorithms!.CompressionClientToServer.Name);
    }

    [Fact]
    public async Task Rekeys_repeatedly_under_full_load_in_both_directions()
    {
        await using var pair = await TransportPair.StartAsync(c => c.RekeyBytes = 256 * 1024, s => s.RekeyBytes = 256 * 1024);
        await AuthenticateAsync(pair);
        var up = PumpAsync(pair.Client, pair.Server, 8 * 1024 * 1024);
        var down = PumpAsync(pair.Server, pair.Client, 8 * 1024 * 1024);
        await Task.WhenAll(up, down).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(pair.Client.KeyExchangeCount > 10, $"only {pair.Client.KeyExchangeCount} key exchanges");
        Assert.Equal(pair.Client.KeyExchangeCount, pair.Server.KeyExchangeCount);
    }

    [Fact]
    public async Task Rekey_requested_by_either_side_keeps_the_session_id()
    {
        await using var pair = await TransportPair.StartAsync();
        var sessionId = pair.Client.SessionId.ToArray();
        pair.Client.RequestKeyExchange();
        await AssertExchangeAsync(pair);
        pair.Server.RequestKeyExchange();
        await AssertExchangeAsync(pair);
        await WaitUntilAsync(() => pair.Client.KeyExchangeCount == 3 && pair.Server.KeyExchangeCount == 3);
        Assert.Equal(sessionId, pair.Server.SessionId.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task First_kex_packet_follows_is_used_when_right_and_discarded_when_wrong(bool guessRight)
    {
        string[] clientKex = ["curve25519-sha256", "ecdh-sha2-nistp256"];
        string[] serverKex = guessRight ? clientKex : ["ecdh-sha2-nistp256", "curve25519-sha256"];
        await using var pair = await TransportPair.StartAsync(
            c => (c.KexAlgorithms, c.SendKexGuess) = (clientKex, true),
            s => s.KexAlgorithms = serverKex);
        await AssertExchangeAsync(pair);
        Assert.Equal("curve25519-sha256", pair.Server.Algorithms!.Kex.Name);
    }

    [Fact]
    public async Task Strict_kex_and_ext_info_are_negotiated_between_our_roles()
    {
        await using var pair = await TransportPair.StartAsync();
        await AssertExchangeAsync(pair);
        Assert.True(pair.Client.IsStrictKex);
        Assert.True(pair.Server.IsStrictKex);
        Assert.Contains("rsa-sha2-256", pair.Client.ServerSignatureAlgorithms!);
        Assert.Equal("0", pair.Client.PeerExtensions["ping@openssh.com"]);
    }

    [Fact]
    public async Task Disconnect_reaches_the_peer_with_its_reason()
    {
        await using var pair = await TransportPair.StartAsync();
        await pair.Server.DisconnectAsync(DisconnectReason.ByApplication, "going away");
        var e = await Assert.ThrowsAsync<SshConnectionException>(async () => await pair.Client.ReceiveAsync());
        Assert.Equal("Received disconnect from remote host:11: going away", e.Message);
    }

    [Fact]
    public async Task No_common_cipher_fails_with_OpenSSHs_wording()
    {
        var e = await Assert.ThrowsAsync<SshProtocolException>(() =>
            TransportPair.StartAsync(c => c.Ciphers = ["aes128-ctr"], s => s.Ciphers = ["aes256-gcm@openssh.com"]));
        Assert.Contains("no matching cipher found", e.Message);
    }

    [Fact]
    public async Task Byte_limits_wait_for_authentication()
    {
        await using var pair = await TransportPair.StartAsync(c => c.RekeyBytes = 16 * 1024, s => s.RekeyBytes = 16 * 1024);
        for (int i = 0; i < 10; i++)
            await AssertExchangeAsync(pair, size: 10_000);
        Assert.Equal(1, pair.Client.KeyExchangeCount);
        await AuthenticateAsync(pair);
        for (int i = 0; i < 10; i++)
            await AssertExchangeAsync(pair, size: 10_000);
        Assert.True(pair.Client.KeyExchangeCount > 2);
    }

    [Fact]
    public async Task Rekeys_on_the_time_limit_after_authentication()
    {
        await using var pair = await TransportPair.StartAsync(c => c.RekeyInterval = TimeSpan.FromMilliseconds(400));
        await AuthenticateAsync(pair);
        await WaitUntilAsync(() => pair.Client.KeyExchangeCount >= 3);
        await AssertExchangeAsync(pair);
    }

    [Fact]
    public async Task Ping_is_answered_with_pong()
    {
        var log = new List<string>();
        await using var pair = await TransportPair.StartAsync(c => c.Logger = new ListLogger(log));
        using var ping = new SshWriter();
        ping.WriteByte((byte)MessageNumber.Ping).WriteString("are you there");
        await pair.Client.SendAsync(ping.WrittenMemory);
        await WaitUntilAsync(() => { lock (log) return log.Contains("SSH2_MSG_PONG received"); });
        await AssertExchangeAsync(pair);
    }

    /// <summary>What the auth layer does last: USERAUTH_SUCCESS from server to client (turns on delayed compression and rekey limits).</summary>
    internal static async Task AuthenticateAsync(TransportPair pair)
    {
        await pair.Server.SendAsync(new byte[] { (byte)MessageNumber.UserAuthSuccess });
        pair.Server.EnableDelayedCompression(); // what the server auth layer does right after queueing it
        using var success = await pair.Client.ReceiveAsync();
        Assert.Equal(MessageNumber.UserAuthSuccess, success.Type);
    }

    internal static async Task AssertExchangeAsync(TransportPair pair, int size = 1000)
    {
        await SendAndCheckAsync(pair.Client, pair.Server, size);
        await SendAndCheckAsync(pair.Server, pair.Client, size);
    }

    private static async Task SendAndCheckAsync(SshTransport from, SshTransport to, int size)
    {
        var payload = new byte[size];
        RandomNumberGenerator.Fill(payload);
        payload[0] = (byte)MessageNumber.ChannelData;
        await from.SendAsync(payload);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var received = await to.ReceiveAsync(cts.Token);
        Assert.True(received.Payload.SequenceEqual(payload));
    }

    private static Task PumpAsync(SshTransport from, SshTransport to, int total)
    {
        var send = Task.Run(async () =>
        {
            var chunk = new byte[32 * 1024];
            for (int sent = 0, n = 0; sent < total; sent += chunk.Length, n++)
            {
                chunk[0] = (byte)MessageNumber.ChannelData;
                chunk[1] = (byte)n;
                chunk.AsSpan(2).Fill((byte)(n * 7));
                await from.SendAsync(chunk);
            }
        });
        var receive = Task.Run(async () =>
        {
            for (int got = 0, n = 0; got < total; n++)
            {
                using var packet = await to.ReceiveAsync();
                Assert.Equal((byte)n, packet.Payload[1]);
                Assert.Equal((byte)(n * 7), packet.Payload[^1]);
                got += packet.Payload.Length;
            }
        });
        return Task.WhenAll(send, receive);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
            await Task.Delay(25);
        Assert.True(condition());
    }
}
