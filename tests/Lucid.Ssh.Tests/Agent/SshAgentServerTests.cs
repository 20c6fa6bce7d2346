using System.Buffers.Binary;
using System.Text;
using Lucid.Ssh.Agent;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Tests.Server;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Agent;

/// <summary>The library's agent client against its agent server, over an in-memory byte pipe.</summary>
public sealed class SshAgentServerTests : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly List<string> _log = [];
    private readonly SshAgentServer _server;
    private readonly List<Task> _serving = [];

    public SshAgentServerTests()
    {
        _server = new SshAgentServer(new SshAgentServerOptions { Log = line => { lock (_log) _log.Add(line); }, Confirm = Confirm });
    }

    private bool _confirmAnswer;
    private SshAgentConfirmation? _asked;

    private ValueTask<bool> Confirm(SshAgentConfirmation question, CancellationToken _)
    {
        _asked = question;
        return ValueTask.FromResult(_confirmAnswer);
    }

    private CancellationToken Token => _timeout.Token;

    /// <summary>A new connection to the server: the client end, and the raw stream for hostile tests when wanted.</summary>
    private Stream Connect()
    {
        var (client, agent) = InMemoryDuplexStream.CreatePair();
        _serving.Add(Task.Run(async () =>
        {
            await using (agent)
                await _server.ServeAsync(agent, Token);
        }));
        return client;
    }

    private SshAgentClient NewClient() => new(Connect());

    [Theory]
    [InlineData("ed25519", 0, "ssh-ed25519")]
    [InlineData("ecdsa", 384, "ecdsa-sha2-nistp384")]
    [InlineData("rsa", 2048, "rsa-sha2-512")]
    [InlineData("rsa", 2048, "rsa-sha2-256")]
    public async Task Added_key_is_listed_and_signs_what_its_public_key_verifies(string type, int bits, string algorithm)
    {
        using var key = SshPrivateKey.Generate(type, bits);
        using var agent = NewClient();
        await agent.AddIdentityAsync(key, "alice@laptop", cancellationToken: Token);

        var listed = Assert.Single(await agent.ListIdentitiesAsync(Token));
        Assert.Equal(key.PublicKey, listed.PublicKey);
        Assert.Equal("alice@laptop", listed.Comment);

        var signer = Assert.Single(await agent.GetSignersAsync(Token));
        var data = Encoding.ASCII.GetBytes("exchange hash and user auth request");
        var signature = await signer.SignAsync(data, algorithm, Token);
        Assert.True(key.PublicKey.Verify(data, signature, algorithm));
        Assert.False(key.PublicKey.Verify("other data"u8, signature));
    }

    [Fact]
    public async Task Remove_one_then_all_and_the_agent_lists_what_is_left()
    {
        using var a = SshPrivateKey.Generate("ed25519");
        using var b = SshPrivateKey.Generate("ecdsa");
        using var c = SshPrivateKey.Generate("ed25519");
        using var agent = NewClient();
        foreach (var key in new[] { a, b, c })
            await agent.AddIdentityAsync(key, key.KeyType, cancellationToken: Token);

        await agent.RemoveIdentityAsync(b.PublicKey, Token);
        Assert.Equal([a.PublicKey, c.PublicKey], (await agent.ListIdentitiesAsync(Token)).Select(i => i.PublicKey));
        var again = await Assert.ThrowsAsync<SshAgentException>(() => agent.RemoveIdentityAsync(b.PublicKey, Token));
        Assert.Equal(SshAgentFailure.Refused, again.Failure);

        await agent.RemoveAllIdentitiesAsync(Token);
        Assert.Empty(await agent.ListIdentitiesAsync(Token));
    }

    [Fact]
    public async Task A_removed_key_is_wiped()
    {
        var key = SshPrivateKey.Generate("ed25519");
        _server.Add(key, "hosted");
        using var agent = NewClient();
        await agent.RemoveIdentityAsync(key.PublicKey, Token);
        Assert.Throws<ObjectDisposedException>(() => key.Sign("x"u8));
    }

    [Fact]
    public async Task A_key_with_a_lifetime_is_gone_and_wiped_when_it_runs_out()
    {
        var key = SshPrivateKey.Generate("ed25519");
        _server.Add(key, "short-lived", new SshAgentKeyConstraints { Lifetime = TimeSpan.FromSeconds(1) });
        using var keeper = SshPrivateKey.Generate("ed25519");
        using var agent = NewClient();
        await agent.AddIdentityAsync(keeper, "kept", cancellationToken: Token);
        Assert.Equal(2, (await agent.ListIdentitiesAsync(Token)).Count);

        while (_server.Count > 1)
            await Task.Delay(50, Token); // the reaper's timer, not a poll by us, removes it
        Assert.Equal("kept", Assert.Single(await agent.ListIdentitiesAsync(Token)).Comment);
        Assert.Throws<ObjectDisposedException>(() => key.Sign("x"u8));
        Assert.Contains("expiring key 'short-lived'", _log);
    }

    [Theory]
    [InlineData(100 * 86400u)]   // longer than a .NET timer can wait (found by the agent-server fuzz harness)
    [InlineData(uint.MaxValue)]
    public async Task A_lifetime_beyond_a_timer_s_reach_is_kept(uint seconds)
    {
        using var key = SshPrivateKey.Generate("ed25519");
        using var agent = NewClient();
        await agent.AddIdentityAsync(key, "long", new SshAgentKeyConstraints { Lifetime = TimeSpan.FromSeconds(seconds) }, Token);
        Assert.Equal("long", Assert.Single(await agent.ListIdentitiesAsync(Token)).Comment);
    }

    [Fact]
    public async Task Confirm_constrained_key_signs_only_when_the_user_allows()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        using var agent = NewClient();
        await agent.AddIdentityAsync(key, "careful", new SshAgentKeyConstraints { Confirm = true }, Token);
        var signer = Assert.Single(await agent.GetSignersAsync(Token));

        _confirmAnswer = false;
        var refused = await Assert.ThrowsAsync<SshAgentException>(async () => await signer.SignAsync("data"u8.ToArray(), "ssh-ed25519", Token));
        Assert.Equal(SshAgentFailure.Refused, refused.Failure);
        Assert.Equal($"Allow use of key careful?\nKey fingerprint {KeyFingerprint.Format(key.PublicKey)}.", _asked!.Prompt);

        _confirmAnswer = true;
        var signature = await signer.SignAsync("data"u8.ToArray(), "ssh-ed25519", Token);
        Assert.True(key.PublicKey.Verify("data"u8, signature));
    }

    [Fact]
    public async Task An_agent_that_cannot_ask_refuses_confirm_constrained_keys()
    {
        using var server = new SshAgentServer();
        var (client, end) = InMemoryDuplexStream.CreatePair();
        var serving = server.ServeAsync(end, Token);
        using var key = SshPrivateKey.Generate("ed25519");
        using (var agent = new SshAgentClient(client))
        {
            await Assert.ThrowsAsync<SshAgentException>(() =>
                agent.AddIdentityAsync(key, "careful", new SshAgentKeyConstraints { Confirm = true }, Token));
            Assert.Empty(await agent.ListIdentitiesAsync(Token));
        }
        await serving;
    }

    [Fact]
    public async Task Locked_agent_lists_nothing_signs_nothing_and_unlocks_only_with_its_passphrase()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        using var agent = NewClient();
        await agent.AddIdentityAsync(key, "k", cancellationToken: Token);
        var signer = Assert.Single(await agent.GetSignersAsync(Token));

        await agent.LockAsync("hunter2", Token);
        Assert.True(_server.IsLocked);
        Assert.Empty(await agent.ListIdentitiesAsync(Token));
        await Assert.ThrowsAsync<SshAgentException>(async () => await signer.SignAsync("d"u8.ToArray(), "ssh-ed25519", Token));
        await Assert.ThrowsAsync<SshAgentException>(() => agent.AddIdentityAsync(key, "again", cancellationToken: Token));
        await Assert.ThrowsAsync<SshAgentException>(() => agent.LockAsync("second", Token));
        await Assert.ThrowsAsync<SshAgentException>(() => agent.UnlockAsync("hunter3", Token));
        Assert.True(_server.IsLocked);

        await agent.UnlockAsync("hunter2", Token);
        Assert.Single(await agent.ListIdentitiesAsync(Token));
        await Assert.ThrowsAsync<SshAgentException>(() => agent.UnlockAsync("hunter2", Token)); // not locked any more
    }

    [Fact]
    public async Task Query_names_session_bind_and_session_bind_checks_the_host_signature()
    {
        using var agent = NewClient();
        Assert.Equal(["session-bind@openssh.com"], await agent.QueryExtensionsAsync(Token));

        using var hostKey = SshPrivateKey.Generate("ed25519");
        var sessionId = new byte[32];
        Random.Shared.NextBytes(sessionId);
        var bad = hostKey.Sign("some other session"u8);
        await Assert.ThrowsAsync<SshAgentException>(() => agent.BindSessionAsync(hostKey.PublicKey, sessionId, bad, false, Token));

        using var second = NewClient();
        await second.BindSessionAsync(hostKey.PublicKey, sessionId, hostKey.Sign(sessionId), false, Token);
        // Bound for authentication: a second binding on this connection is refused, as OpenSSH's agent refuses it.
        var other = new byte[32];
        await Assert.ThrowsAsync<SshAgentException>(() => second.BindSessionAsync(hostKey.PublicKey, other, hostKey.Sign(other), false, Token));
    }

    [Fact]
    public async Task Destination_constraints_are_refused_not_ignored()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        using var writer = new SshWriter(512);
        writer.WriteByte(25).WriteString(key.KeyType);
        key.WriteOpenSshFields(writer);
        writer.WriteString("constrained").WriteByte(255).WriteString("restrict-destination-v00@openssh.com").WriteString(""u8);
        var stream = Connect();
        Assert.Equal([5], await RoundTripAsync(stream, writer.ToArray()));
        Assert.Equal(0, _server.Count);
        Assert.Contains(_log, l => l.Contains("destination constraints", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_and_malformed_requests_get_failure_and_the_connection_keeps_serving()
    {
        using var key = SshPrivateKey.Generate("ed25519");
        _server.Add(key, "k");
        var stream = Connect();
        Assert.Equal([5], await RoundTripAsync(stream, [200]));                       // unknown message
        Assert.Equal([5], await RoundTripAsync(stream, [17, 0, 0, 0, 11, .. "ssh-ed25519"u8]));  // add, cut short
        Assert.Equal([5], await RoundTripAsync(stream, [13, 0, 0, 0xff, 0xff]));     // sign, string longer than the message
        Assert.Equal([5], await RoundTripAsync(stream, [17, 0, 0, 0, 7, .. "ssh-dss"u8, 0, 0, 0, 0])); // a type we do not keep
        Assert.Equal([5], await RoundTripAsync(stream, [20]));                        // smartcards
        var answer = await RoundTripAsync(stream, [11]);
        Assert.Equal(12, answer[0]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(answer.AsSpan(1)));
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x04, 0x00, 0x01 }, "message too long")]    // 256 KiB + 1
    [InlineData(new byte[] { 0x7f, 0xff, 0xff, 0xff }, "message too long")]
    [InlineData(new byte[] { 0, 0, 0, 0 }, "empty message")]
    [InlineData(new byte[] { 0, 0, 0, 9, 11 }, "truncated message")]
    [InlineData(new byte[] { 0, 0 }, "truncated message length")]
    public async Task A_bad_frame_closes_only_its_connection(byte[] frame, string logged)
    {
        var hostile = Connect();
        await hostile.WriteAsync(frame, Token);
        if (frame.Length < 4 || frame[3] == 9)
            hostile.Dispose(); // the sender hangs up mid-message
        else
            Assert.Equal(0, await hostile.ReadAsync(new byte[1], Token)); // the agent hung up
        await _serving[0];
        lock (_log)
            Assert.Contains(_log, l => l.Contains(logged, StringComparison.Ordinal));

        using var key = SshPrivateKey.Generate("ed25519");
        using var agent = NewClient();
        await agent.AddIdentityAsync(key, "still serving", cancellationToken: Token);
        Assert.Single(await agent.ListIdentitiesAsync(Token));
    }

    private async Task<byte[]> RoundTripAsync(Stream stream, byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, Token);
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, Token);
        var reply = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
        await stream.ReadExactlyAsync(reply, Token);
        return reply;
    }

    public void Dispose()
    {
        _timeout.Dispose();
        _server.Dispose();
    }
}
