using System.Diagnostics;
using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Transport;

namespace Lucid.Bench;

/// <summary>One measured cipher (and MAC) combination.</summary>
public sealed record CipherBenchResult(string Cipher, string Mac, double SealMBps, double OpenMBps, double SealBytesAllocatedPerPacket, double OpenBytesAllocatedPerPacket)
{
    public override string ToString() =>
        $"{Cipher,-30} {Mac,-30} seal {SealMBps,8:F1} MB/s   open {OpenMBps,8:F1} MB/s   alloc/packet seal {SealBytesAllocatedPerPacket,6:F1} B open {OpenBytesAllocatedPerPacket,6:F1} B";
}

/// <summary>
/// Packet seal and open throughput through the real framing code (PacketWriter / PacketReader): padding,
/// encryption, MAC, sequence numbers. Payloads are 32 KiB, the size SSH channel data usually travels in.
/// </summary>
public static class CipherBench
{
    public static IEnumerable<(string Cipher, string Mac)> Combinations()
    {
        foreach (var cipher in AlgorithmRegistry.Cipher)
        {
            if (cipher.IsAead)
                yield return (cipher.Name, "<implicit>");
        }
        foreach (var mac in new[] { "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256" })
            yield return ("aes128-ctr", mac);
        yield return ("aes256-ctr", "umac-64-etm@openssh.com");
    }

    public static IEnumerable<CipherBenchResult> RunAll(int megabytes, int payloadSize)
    {
        foreach (var (cipher, mac) in Combinations())
            yield return Run(cipher, mac, megabytes, payloadSize);
    }

    public static CipherBenchResult Run(string cipherName, string macName, int megabytes, int payloadSize)
    {
        var cipher = AlgorithmRegistry.FindCipher(cipherName) ?? throw new ArgumentException(cipherName);
        var mac = cipher.IsAead ? null : AlgorithmRegistry.FindMac(macName) ?? throw new ArgumentException(macName);
        var key = RandomNumberGenerator.GetBytes(cipher.KeySize);
        var iv = RandomNumberGenerator.GetBytes(cipher.IvSize);
        var macKey = RandomNumberGenerator.GetBytes(mac?.KeySize ?? 0);
        var none = AlgorithmRegistry.FindCompression("none")!;
        PacketKeys Keys(bool encrypt) => new(cipher.Create(key, iv, encrypt), mac?.Create(macKey), mac?.EncryptThenMac ?? false, none);

        var payload = new byte[payloadSize];
        RandomNumberGenerator.Fill(payload);
        payload[0] = 94;
        long packets = Math.Max(16, (long)megabytes * 1024 * 1024 / payloadSize);

        // Seal: frame into the writer's buffer and "send" to a null stream.
        using var writer = new PacketWriter(Stream.Null);
        writer.SetKeys(Keys(encrypt: true));
        for (int i = 0; i < 8; i++)
            Seal(writer, payload);
        long sealAllocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (long i = 0; i < packets; i++)
            Seal(writer, payload);
        double sealSeconds = watch.Elapsed.TotalSeconds;
        sealAllocated = GC.GetAllocatedBytesForCurrentThread() - sealAllocated;

        // Open: replay packets sealed by a fresh writer (so sequence numbers line up) through a reader.
        int batch = (int)Math.Min(packets, 64);
        var sealedBatches = new MemoryStream();
        using (var producer = new PacketWriter(sealedBatches))
        {
            producer.SetKeys(Keys(encrypt: true));
            for (int i = 0; i < batch; i++)
            {
                producer.Append(payload);
                producer.FlushAsync(default).AsTask().GetAwaiter().GetResult();
            }
        }
        var sealedBytes = sealedBatches.ToArray();
        long rounds = Math.Max(1, packets / batch);
        var replay = new ReplayStream(sealedBytes);
        using var reader = new PacketReader(replay);
        long openAllocated = 0;
        double openSeconds = 0;
        for (long round = 0; round < rounds; round++)
        {
            // Each round starts a fresh key set, as the batch was sealed from sequence 0.
            replay.Reset();
            reader.Sequence = 0;
            reader.SetKeys(Keys(encrypt: false));
            long before = GC.GetAllocatedBytesForCurrentThread();
            watch.Restart();
            for (int i = 0; i < batch; i++)
            {
                var opened = reader.ReadPacketAsync(default);
                if (!opened.IsCompletedSuccessfully || opened.Result.Length != payload.Length)
                    throw new InvalidOperationException("open failed");
            }
            openSeconds += watch.Elapsed.TotalSeconds;
            openAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        double megabytesSealed = packets * (double)payloadSize / (1024 * 1024);
        double megabytesOpened = rounds * batch * (double)payloadSize / (1024 * 1024);
        return new CipherBenchResult(cipherName, macName, megabytesSealed / sealSeconds, megabytesOpened / openSeconds,
            sealAllocated / (double)packets, openAllocated / (double)(rounds * batch));
    }

    private static void Seal(PacketWriter writer, byte[] payload)
    {
        if (!writer.HasRoomFor(payload.Length))
            writer.FlushAsync(default).AsTask().GetAwaiter().GetResult();
        writer.Append(payload);
    }

    /// <summary>Serves the same sealed bytes again and again, synchronously, so reads measure only the crypto.</summary>
    private sealed class ReplayStream(byte[] data) : Stream
    {
        private int _position;

        public void Reset() => _position = 0;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => _position = (int)value; }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
