using System.Diagnostics;
using System.Globalization;
using Lucid.Ssh.Client;

namespace Lucid.Bench;

/// <summary>
/// Managed bytes allocated per MiB moved in steady state: one session transfers --warmup-mib first (buffers,
/// pools and JIT settle), then GC.GetTotalAllocatedBytes(precise) is read around the next --mib.
/// With --port it measures this process's SshClient against a real server (client side only); without it,
/// against an in-process SshServer over loopback TCP (client and server together).
/// Prints `alloc down|up B bytes/MiB R MB/s`. With --types N (a separate, diagnostic pass: the event
/// listener allocates too) it then lists the N most allocated types as `type B bytes/MiB Name`.
/// </summary>
public static class AllocationBench
{
    private const int MiB = 1024 * 1024;

    /// <summary>
    /// How long the receiving side waits before it first reads, so that the sender fills the channel's window
    /// (8 MiB: well under this time on loopback) and the channel's block pool grows to its working size during
    /// the warm-up. Without it the pool reached that size whenever a burst first filled the window, often inside
    /// the measured run, where its 64 KiB blocks (allocated once per process) showed as up to ~8 KB per MiB.
    /// </summary>
    internal static readonly TimeSpan WindowFillDelay = TimeSpan.FromMilliseconds(300);

    public static async Task<int> RunAsync(BenchOptions args)
    {
        var mib = args.GetInt("mib", 256);
        var warmup = args.GetInt("warmup-mib", 32);
        var direction = args.Get("direction", "down");
        var types = args.GetInt("types", 0);
        using var sampler = types > 0 ? new AllocationSampler() : null;
        InProcessServer? server = null;
        int port;
        if (args.Get("port", "in-process") == "in-process")
        {
            server = new InProcessServer(File.ReadAllText(args.Get("key") + ".pub"));
            port = server.Port;
        }
        else
            port = args.Port;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var client = await SshClient.ConnectAsync(args.Host, port, args.ClientOptions(), timeout.Token).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var (allocated, seconds) = direction == "up"
                    ? await UploadAsync(client, warmup, mib, sampler, timeout.Token).ConfigureAwait(false)
                    : await DownloadAsync(client, warmup, mib, sampler, timeout.Token).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"alloc {direction} {(double)allocated / mib:F0} bytes/MiB {mib * (double)MiB / 1e6 / seconds:F1} MB/s"));
                foreach (var (type, bytes) in sampler?.Top(types) ?? [])
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"type {(double)bytes / mib:F0} bytes/MiB {type}"));
            }
        }
        finally
        {
            if (server is not null)
                await server.DisposeAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static async Task<(long Allocated, double Seconds)> DownloadAsync(SshClient client, int warmup, int mib, AllocationSampler? sampler, CancellationToken ct)
    {
        var session = await client.OpenSessionAsync(ct).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            long total = (long)(warmup + mib) * MiB;
            await session.ExecAsync(string.Create(CultureInfo.InvariantCulture, $"head -c {total} /dev/zero"), ct).ConfigureAwait(false);
            var reader = session.Output;
            // Reading starts after a moment, once the server has filled the window: see WindowFillDelay.
            await Task.Delay(WindowFillDelay, ct).ConfigureAwait(false);
            long received = 0, startAt = (long)warmup * MiB;
            long before = 0;
            var clock = new Stopwatch();
            while (true)
            {
                var result = await reader.ReadAsync(ct).ConfigureAwait(false);
                var had = received;
                received += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
                if (had < startAt && received >= startAt)
                {
                    sampler?.Start();
                    before = GC.GetTotalAllocatedBytes(precise: true);
                    clock.Start();
                }
                if (received >= total || result.IsCompleted)
                    break;
            }
            var after = GC.GetTotalAllocatedBytes(precise: true);
            sampler?.Stop();
            clock.Stop();
            if (received != total)
                throw new InvalidOperationException($"received {received} bytes, expected {total}");
            await session.WaitForExitAsync(ct).ConfigureAwait(false);
            return (after - before, clock.Elapsed.TotalSeconds);
        }
    }

    private static async Task<(long Allocated, double Seconds)> UploadAsync(SshClient client, int warmup, int mib, AllocationSampler? sampler, CancellationToken ct)
    {
        var session = await client.OpenSessionAsync(ct).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.ExecAsync("cat >/dev/null", ct).ConfigureAwait(false);
            var chunk = new byte[32 * 1024];
            var perMiB = MiB / chunk.Length;
            for (var i = 0; i < warmup * perMiB; i++)
                await session.Channel.WriteAsync(chunk, ct).ConfigureAwait(false);
            sampler?.Start();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < mib * perMiB; i++)
                await session.Channel.WriteAsync(chunk, ct).ConfigureAwait(false);
            await session.Channel.SendEofAsync(ct).ConfigureAwait(false);
            var status = await session.WaitForExitAsync(ct).ConfigureAwait(false);
            var after = GC.GetTotalAllocatedBytes(precise: true);
            sampler?.Stop();
            clock.Stop();
            if (status.ExitCode != 0)
                throw new InvalidOperationException($"cat exited with {status.ExitCode}");
            return (after - before, clock.Elapsed.TotalSeconds);
        }
    }
}
