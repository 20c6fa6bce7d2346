using System.Security.Cryptography;
using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.Client;
using Lucid.Ssh.Transport;
using Microsoft.Extensions.Logging;

namespace Lucid.Interop.Tests.Client;

/// <summary>
/// 1 GiB each way through our client and OpenSSH's sshd with RekeyLimit forced low on both sides, so key
/// exchanges happen mid-transfer. The sending side gets the lower limit (64 MiB, the other 96 MiB), so the
/// upload proves rekeys we start and the download rekeys sshd starts, deterministically. Data is generated
/// and hashed on the fly.
/// </summary>
public sealed class OpenSshBigTransferTests
{
    private const long OneGiB = 1L << 30;

    private static async Task<(SshClient Client, RekeyCounter Rekeys, OpenSshServer Server)> ConnectAsync(
        int sshdLimitMiB, int clientLimitMiB, CancellationToken ct)
    {
        var server = await OpenSshServer.StartAsync("LogLevel INFO", $"RekeyLimit {sshdLimitMiB}M");
        var rekeys = new RekeyCounter();
        var options = ClientInterop.Options(server);
        options.RekeyLimitBytes = (long)clientLimitMiB << 20;
        options.Logger = rekeys;
        return (await ClientInterop.ConnectAsync(server, options, ct), rekeys, server);
    }

    [Fact]
    public async Task One_gib_uploaded_matches_sha256_with_rekeys_on_the_way()
    {
        var ct = ClientInterop.Timeout(300);
        var (client, rekeys, server) = await ConnectAsync(sshdLimitMiB: 96, clientLimitMiB: 64, ct);
        await using var _ = server;
        await using var __ = client;

        await using var session = await client.OpenSessionAsync(ct);
        await session.ExecAsync("sha256sum", ct);
        var remoteHash = new StreamReader(session.StandardOutput).ReadToEndAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[1 << 20];
        new Random(11).NextBytes(block);
        for (long sent = 0; sent < OneGiB; sent += block.Length)
        {
            // Each MiB differs (a counter in front) so a misordered or repeated packet changes the hash.
            BitConverter.TryWriteBytes(block, sent);
            hash.AppendData(block);
            await session.Channel.WriteAsync(block, ct);
        }
        await session.Channel.SendEofAsync(ct);

        Assert.Equal(Convert.ToHexStringLower(hash.GetHashAndReset()) + "  -\n", await remoteHash);
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
        AssertRekeyed(client, () => rekeys.ByUs, "we", rekeys);
    }

    [Fact]
    public async Task One_gib_downloaded_matches_sha256_with_rekeys_on_the_way()
    {
        var ct = ClientInterop.Timeout(300);
        var (client, rekeys, server) = await ConnectAsync(sshdLimitMiB: 64, clientLimitMiB: 96, ct);
        await using var _ = server;
        await using var __ = client;

        // sshd's side hashes what it sends on stderr; we hash what arrives on stdout.
        var result = client.OpenSessionAsync(ct);
        await using var session = await result;
        await session.ExecAsync("bash -c 'head -c 1073741824 /dev/urandom | tee >(sha256sum >&2)'", ct);
        var remoteHash = new StreamReader(session.StandardError).ReadToEndAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        var output = session.Output;
        while (true)
        {
            var read = await output.ReadAsync(ct);
            foreach (var segment in read.Buffer)
            {
                hash.AppendData(segment.Span);
                received += segment.Length;
            }
            output.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
                break;
        }

        Assert.Equal(OneGiB, received);
        Assert.Equal(Convert.ToHexStringLower(hash.GetHashAndReset()) + "  -\n", await remoteHash);
        Assert.Equal(0, (await session.WaitForExitAsync(ct)).ExitCode);
        AssertRekeyed(client, () => rekeys.ByPeer, "sshd", rekeys);
    }

    private static void AssertRekeyed(SshClient client, Func<int> startedByExpectedSide, string side, RekeyCounter rekeys)
    {
        var transport = Assert.IsType<SshTransport>(client.Transport);
        // 1 GiB at a 64 MiB limit is 16 exchanges (plus the first); ask for a good share of them.
        Assert.True(transport.KeyExchangeCount >= 10, $"only {transport.KeyExchangeCount} key exchanges; {rekeys}");
        Assert.True(startedByExpectedSide() >= 8, $"{side} started too few rekeys; {rekeys}");
    }

    /// <summary>Counts the transport's "rekeying: reason" lines: a byte limit (we started it) or "requested by peer".</summary>
    private sealed class RekeyCounter : ILogger
    {
        private int _byUs;
        private int _byPeer;

        public int ByUs => _byUs;
        public int ByPeer => _byPeer;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel != LogLevel.Debug)
                return;
            string line = formatter(state, exception);
            if (!line.StartsWith("rekeying: ", StringComparison.Ordinal))
                return;
            if (line.EndsWith("requested by peer", StringComparison.Ordinal))
                Interlocked.Increment(ref _byPeer);
            else
                Interlocked.Increment(ref _byUs);
        }

        public override string ToString() => $"rekeys started by us: {_byUs}, by sshd: {_byPeer}";
    }
}
