using System.Security.Cryptography;
using System.Text;
using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh;
using Lucid.Ssh.Connection;
using Lucid.Ssh.Transport;

namespace Lucid.Interop.Tests.Client;

/// <summary>Sessions on our SshClient against OpenSSH's sshd: exec, exit codes, stdin/stdout/stderr.</summary>
public sealed class OpenSshSessionTests(QuietOpenSshServerFixture fixture) : IClassFixture<QuietOpenSshServerFixture>
{
    private OpenSshServer Server => fixture.Server;

    [Fact]
    public async Task Exec_returns_stdout_stderr_separately_and_the_exit_code()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(Server, ClientInterop.Options(Server), ct);

        var result = await client.RunCommandAsync("echo to-stdout; echo to-stderr >&2; exit 42", ct);
        var ok = await client.RunCommandAsync("true", ct);

        Assert.Equal(("to-stdout\n", "to-stderr\n", 42), (result.StandardOutput, result.StandardError, result.ExitCode));
        Assert.Equal(0, ok.ExitCode);
    }

    [Fact]
    public async Task Command_killed_by_a_signal_reports_exit_signal()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(Server, ClientInterop.Options(Server), ct);

        var result = await client.RunCommandAsync("kill -TERM $$", ct);

        Assert.Null(result.ExitCode);
        Assert.Equal("TERM", result.ExitSignal?.Name);
    }

    [Fact]
    public async Task Stdin_is_streamed_and_eof_ends_the_remote_cat()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(Server, ClientInterop.Options(Server), ct);
        var data = new byte[5 * 1024 * 1024 + 123];
        new Random(7).NextBytes(data);

        await using var session = await client.OpenSessionAsync(ct);
        await session.ExecAsync("cat", ct);
        var echoed = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[65536];
            long total = 0;
            int n;
            while ((n = await session.StandardOutput.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                total += n;
            }
            return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }, ct);
        await using (var stdin = session.StandardInput)
        {
            for (int offset = 0; offset < data.Length; offset += 100_000)
                await stdin.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)), ct);
        }

        Assert.Equal((data.LongLength, Convert.ToHexStringLower(SHA256.HashData(data))), await echoed);
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
    }

    [Fact]
    public async Task Many_sessions_run_concurrently_on_one_connection()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(Server, ClientInterop.Options(Server), ct);

        // sshd's default MaxSessions is 10.
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.RunCommandAsync($"echo session {i}; exit {i}", ct)));

        for (int i = 0; i < results.Length; i++)
            Assert.Equal(($"session {i}\n", i), (results[i].StandardOutput, results[i].ExitCode));
    }

    [Fact]
    public async Task Pty_session_sees_term_size_and_environment()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(Server, ClientInterop.Options(Server), ct);

        await using var session = await client.OpenSessionAsync(ct);
        var modes = new SshTerminalModes().Set(SshTerminalModes.ECHO, 0).Set(SshTerminalModes.ONLCR, 0);
        Assert.True(await session.RequestPtyAsync(new SshPtyRequest("vt100", 101, 37) { Modes = modes }, ct));
        await session.SetEnvironmentVariableAsync("LUCID_GREETING", "hello", ct);
        await session.ExecAsync("echo $TERM $LUCID_GREETING; stty size; tty >/dev/null && echo tty", ct);
        var output = await new StreamReader(session.StandardOutput).ReadToEndAsync(ct);

        Assert.Equal("vt100 hello\n37 101\ntty\n", output.Replace("\r\n", "\n"));
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
    }

    [Fact]
    public async Task Delayed_compression_carries_a_compressible_megabyte_both_ways()
    {
        var ct = ClientInterop.Timeout();
        var options = ClientInterop.Options(Server);
        options.Compression = true;
        await using var client = await ClientInterop.ConnectAsync(Server, options, ct);
        var text = string.Concat(Enumerable.Repeat("all work and no play makes jack a dull boy\n", 25_000));

        await using var session = await client.OpenSessionAsync(ct);
        await session.ExecAsync("cat", ct);
        var echoed = new StreamReader(session.StandardOutput).ReadToEndAsync(ct);
        await using (var stdin = session.StandardInput)
            await stdin.WriteAsync(Encoding.UTF8.GetBytes(text), ct);

        Assert.Equal(text, await echoed);
        var algorithms = Assert.IsType<SshTransport>(client.Transport).Algorithms!;
        Assert.Equal("zlib@openssh.com", algorithms.CompressionClientToServer.Name);
        Assert.Equal("zlib@openssh.com", algorithms.CompressionServerToClient.Name);
    }

    [Fact]
    public async Task Delayed_compression_survives_rekeys_started_by_either_side()
    {
        // OpenSSH begins a new zlib stream with every key set; a client that kept the old one broke here
        // ("invalid format" in sshd's log) at the first rekey after authentication.
        await using var server = await OpenSshServer.StartAsync("LogLevel INFO", "RekeyLimit 256K");
        var ct = ClientInterop.Timeout();
        var options = ClientInterop.Options(server);
        options.Compression = true;
        options.RekeyLimitBytes = 128 * 1024;
        await using var client = await ClientInterop.ConnectAsync(server, options, ct);
        var data = new byte[4 << 20];
        new Random(7).NextBytes(data.AsSpan(0, data.Length / 2)); // half noise, half zeros: both compress paths

        await using var session = await client.OpenSessionAsync(ct);
        await session.ExecAsync("cat", ct);
        var echoed = new MemoryStream();
        var copy = session.StandardOutput.CopyToAsync(echoed, ct);
        await using (var stdin = session.StandardInput)
            await stdin.WriteAsync(data, ct);
        await copy;

        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(SHA256.HashData(echoed.ToArray())));
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
        var transport = Assert.IsType<SshTransport>(client.Transport);
        Assert.Equal("zlib@openssh.com", transport.Algorithms!.CompressionClientToServer.Name);
        Assert.True(transport.KeyExchangeCount >= 10, $"only {transport.KeyExchangeCount} key exchanges");
    }

    [Fact]
    public async Task Refused_subsystem_is_reported_with_openssh_wording()
    {
        var ct = ClientInterop.Timeout();
        await using var client = await ClientInterop.ConnectAsync(Server, ClientInterop.Options(Server), ct);
        await using var session = await client.OpenSessionAsync(ct);

        var error = await Assert.ThrowsAsync<SshException>(() => session.SubsystemAsync("no-such-subsystem", ct));

        Assert.Equal($"subsystem request failed on channel {session.Channel.LocalId}", error.Message);
    }
}
