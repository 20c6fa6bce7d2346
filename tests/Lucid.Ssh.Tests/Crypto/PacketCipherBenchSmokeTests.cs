using Lucid.Bench;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>The cipher benchmark (bench/cipher-bench.sh) runs end to end at a tiny size; speed is not asserted.</summary>
public sealed class PacketCipherBenchSmokeTests
{
    [Fact]
    public void Every_combination_seals_and_opens()
    {
        var results = CipherBench.RunAll(megabytes: 1, payloadSize: 4096).ToList();
        Assert.Equal(CipherBench.Combinations().Count(), results.Count);
        Assert.All(results, r => Assert.True(r.SealMBps > 0 && r.OpenMBps > 0, r.ToString()));
    }
}
