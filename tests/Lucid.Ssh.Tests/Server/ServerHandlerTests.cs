using System.Buffers.Binary;
using System.Text;
using Lucid.Ssh.Client;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Keys;
using Lucid.Ssh.OpenSsh;
using Lucid.Ssh.Server;
using Lucid.Ssh.Tests.Connection;

namespace Lucid.Ssh.Tests.Server;

/// <summary>
/// The server's extension points, exercised as an embedding host would: its own user store behind
/// <see cref="ISshServerAuthentication"/>, a custom channel type, a custom global request replying with a
/// payload, and an in-process subsystem, with Lucid's client over an in-memory pair.
/// </summary>
public sealed class ServerHandlerTests
{
    private static readonly SshPrivateKey AliceKey = SshPrivateKey.Generate("ed25519");
    private static readonly SshPrivateKey StrangerKey = SshPrivateKey.Generate("ed25519");

    /// <summary>A user store of one: alice, with one key and one password.</summary>
    private sealed class UserStore : ISshServerAuthentication
    {
        public List<string> Asked { get; } = [];

        public ValueTask<SshServerUser?> FindUserAsync(string userName, SshServerAuthContext context, CancellationToken cancellationToken)
        {
            lock (Asked)
                Asked.Add($"user {userName} from {context.RemoteAddress}");
            return ValueTask.FromResult(userName == "alice" ? new SshServerUser("alice", 1000, 1000, "/nonexistent", "", []) : null);
        }

        public async ValueTask<AuthorizedKeysOptions?> AuthorizePublicKeyAsync(SshServerUser user, SshPublicKey key, SshServerAuthContext context,
            CancellationToken cancellationToken)
        {
            await Task.Yield(); // a real store would look the key up somewhere
            return key.Equals(AliceKey.PublicKey) ? AuthorizedKeysOptions.None : null;
        }

        public bool PasswordsSupported => true;

        public ValueTask<bool> CheckPasswordAsync(SshServerUser user, string password, SshServerAuthContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(password == "open sesame");
    }

    private static SshServerOptions ServerOptions(UserStore store, SshServerHandlers handlers) => new()
    {
        Config = SshdConfig.Parse(""),
        HostKeys = [InMemorySshPair.HostKey],
        Authentication = store,
        Handlers = handlers,
    };

    private static SshClientOptions AliceWithKey()
    {
        var options = new SshClientOptions { User = "alice" };
        options.Signers.Add(AliceKey);
        return options;
    }

    [Fact]
    public async Task Custom_channel_type_is_accepted_by_its_handler_and_carries_data_both_ways()
    {
        var ct = ConnectionPair.Timeout();
        var handlers = new SshServerHandlers().SetChannelHandler("echo@example.com", async (open, cancellationToken) =>
        {
            var prefix = Encoding.UTF8.GetString(open.Data.Span);
            var channel = open.Accept();
            var input = channel.AsStream();
            var reader = new StreamReader(input);
            var text = await reader.ReadToEndAsync(cancellationToken);
            await channel.WriteAsync(Encoding.UTF8.GetBytes(prefix + text.ToUpperInvariant()), cancellationToken);
            await channel.SendEofAsync(cancellationToken);
            await channel.CloseAsync(cancellationToken);
        });
        var store = new UserStore();
        await using var pair = await InMemorySshPair.ConnectAsync(ServerOptions(store, handlers), AliceWithKey(), ct);

        var channel = await pair.Client.Connection.OpenChannelAsync("echo@example.com", Encoding.UTF8.GetBytes("echo: "), cancellationToken: ct);
        await using var stream = channel.AsStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes("hello over ssh"), ct);
        await channel.SendEofAsync(ct);
        var answer = await new StreamReader(stream).ReadToEndAsync(ct);

        Assert.Equal("echo: HELLO OVER SSH", answer);
        Assert.Equal("publickey", pair.Client.AuthenticatedMethod);
        Assert.Contains("user alice from 127.0.0.1", store.Asked);
    }

    [Fact]
    public async Task Handler_rejects_with_reason_code_and_unknown_types_are_prohibited()
    {
        var ct = ConnectionPair.Timeout();
        var handlers = new SshServerHandlers().SetChannelHandler("dial@example.com", async (open, _) =>
        {
            await Task.Yield(); // answered off the read loop, as a handler that connects somewhere would
            open.Reject(ChannelOpenFailureReason.ConnectFailed, "Connection refused");
        });
        await using var pair = await InMemorySshPair.ConnectAsync(ServerOptions(new UserStore(), handlers), AliceWithKey(), ct);

        var refused = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.Connection.OpenChannelAsync("dial@example.com", cancellationToken: ct));
        var unknown = await Assert.ThrowsAsync<SshChannelOpenException>(() => pair.Client.Connection.OpenChannelAsync("nobody@example.com", cancellationToken: ct));

        Assert.Equal((ChannelOpenFailureReason.ConnectFailed, "open failed: connect failed: Connection refused"), (refused.Reason, refused.Message));
        Assert.Equal((ChannelOpenFailureReason.AdministrativelyProhibited, "open failed"), (unknown.Reason, unknown.Description));
    }

    [Fact]
    public async Task Custom_global_request_replies_with_payload_in_request_order()
    {
        var ct = ConnectionPair.Timeout();
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new SshServerHandlers().SetGlobalRequestHandler("bind@example.com", async (context, request, _) =>
        {
            var asked = BinaryPrimitives.ReadUInt32BigEndian(request.Data.Span);
            if (asked == 1)
                await secondArrived.Task; // the first request is answered only after the second was handled
            else
                secondArrived.TrySetResult();
            var reply = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(reply, asked + 40000);
            return SshGlobalRequestReply.Succeed(reply);
        });
        await using var pair = await InMemorySshPair.ConnectAsync(ServerOptions(new UserStore(), handlers), AliceWithKey(), ct);

        static byte[] Port(uint value)
        {
            var data = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(data, value);
            return data;
        }
        var first = pair.Client.Connection.SendGlobalRequestAsync("bind@example.com", Port(1), cancellationToken: ct);
        var second = pair.Client.Connection.SendGlobalRequestAsync("bind@example.com", Port(2), cancellationToken: ct);
        var unregistered = await pair.Client.Connection.SendGlobalRequestAsync("other@example.com", default, cancellationToken: ct);

        Assert.Equal(40001u, BinaryPrimitives.ReadUInt32BigEndian((await first).Data.Span));
        Assert.Equal(40002u, BinaryPrimitives.ReadUInt32BigEndian((await second).Data.Span));
        Assert.True((await first).Success);
        Assert.False(unregistered.Success);
    }

    [Fact]
    public async Task In_process_subsystem_runs_on_a_session_and_its_status_is_the_exit_code()
    {
        var ct = ConnectionPair.Timeout();
        var handlers = new SshServerHandlers().SetSubsystemHandler("upper", async (session, cancellationToken) =>
        {
            var text = await new StreamReader(session.Channel.AsStream()).ReadToEndAsync(cancellationToken);
            await session.Channel.WriteAsync(Encoding.UTF8.GetBytes($"{session.Context.User.Name}: {text.ToUpperInvariant()}"), cancellationToken);
            return 3;
        });
        var client = new SshClientOptions { User = "alice", Password = "open sesame", PreferredAuthentications = ["password"] };
        await using var pair = await InMemorySshPair.ConnectAsync(ServerOptions(new UserStore(), handlers), client, ct);

        await using var session = await pair.Client.OpenSessionAsync(ct);
        await session.SubsystemAsync("upper", ct);
        var output = new StreamReader(session.StandardOutput).ReadToEndAsync(ct);
        await using (var stdin = session.StandardInput)
            await stdin.WriteAsync(Encoding.UTF8.GetBytes("quiet words"), ct);

        Assert.Equal("alice: QUIET WORDS", await output);
        Assert.Equal(3, (await session.WaitForExitAsync(ct)).ExitCode);
        Assert.Equal("password", pair.Client.AuthenticatedMethod);

        // Without a process backend, commands are refused rather than run somewhere unexpected.
        await using var exec = await pair.Client.OpenSessionAsync(ct);
        await Assert.ThrowsAsync<SshException>(() => exec.ExecAsync("id", ct));
    }

    [Fact]
    public async Task User_store_refuses_unknown_keys_and_wrong_passwords_with_openssh_wording()
    {
        var ct = ConnectionPair.Timeout();
        var client = new SshClientOptions { User = "alice", Password = "wrong", NumberOfPasswordPrompts = 1 };
        client.Signers.Add(StrangerKey);

        var denied = await Assert.ThrowsAsync<SshAuthenticationException>(() =>
            InMemorySshPair.ConnectAsync(ServerOptions(new UserStore(), new SshServerHandlers()), client, ct));

        Assert.Equal("Permission denied (publickey,password,keyboard-interactive).", denied.Message);
    }
}
