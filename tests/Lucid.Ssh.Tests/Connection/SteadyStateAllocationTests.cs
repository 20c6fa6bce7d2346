namespace Lucid.Ssh.Tests.Connection;

[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>
/// Guards "no managed allocation per packet in steady state" (issue 6): a bulk transfer between an SshClient-style
/// connection and a server one, both in this process over SshTransport, allocates next to nothing per MiB once
/// warmed up. Before the per-packet path was pooled it allocated about 600 KB per MiB; it now measures a few
/// hundred bytes per MiB, so the bound (16 KiB per MiB, for both ends together) leaves room for whatever else the
/// process does meanwhile. The collection runs alone, so other tests do not allocate during the measurement.
/// </summary>
[Collection(nameof(AllocationCollection))]
public sealed class SteadyStateAllocationTests
{
    private const int MiB = 1024 * 1024;
    private const long BoundPerMiB = 16 * 1024;

    [Theory]
    [InlineData("aes128-gcm@openssh.com", true)]
    [InlineData("aes128-gcm@openssh.com", false)]
    [InlineData("chacha20-poly1305@openssh.com", true)]
    [InlineData("aes128-ctr", true, "hmac-sha2-256-etm@openssh.com")]
    [InlineData("aes256-ctr", false, "hmac-sha2-512")]
    public async Task Bulk_transfer_allocates_almost_nothing_per_MiB(string cipher, bool download, string? mac = null)
    {
        var ct = ConnectionPair.Timeout();
        await using var pair = await BulkPair.StartAsync(cipher, mac);
        var (sender, receiver) = download ? (pair.ServerChannel, pair.ClientChannel) : (pair.ClientChannel, pair.ServerChannel);
        var chunk = new byte[TransportConnectionTests.ChunkSize];
        new Random(3).NextBytes(chunk);

        async Task<long> TransferAsync(int mib)
        {
            var draining = BulkPair.DrainAsync(receiver, (long)mib * MiB, ct);
            for (int i = 0; i < mib * (MiB / chunk.Length); i++)
                await sender.WriteAsync(chunk, ct);
            await draining;
            return GC.GetTotalAllocatedBytes(precise: true);
        }

        // The whole window in flight once (the receiver reads nothing until the sender has used it up), so the
        // channels' block pool reaches the most a transfer can hold before the measurement, not inside it.
        long filled = 0;
        while (sender.RemoteWindow >= chunk.Length)
        {
            await sender.WriteAsync(chunk, ct);
            filled += chunk.Length;
        }
        await BulkPair.DrainAsync(receiver, filled, ct);
        await TransferAsync(16); // pools, pipes' segment caches and JIT settle
        const int Measured = 32;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long after = await TransferAsync(Measured);

        long perMiB = (after - before) / Measured;
        Assert.True(perMiB <= BoundPerMiB, $"{perMiB} bytes allocated per MiB (bound {BoundPerMiB})");
    }
}
