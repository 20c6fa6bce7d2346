using System.Globalization;
using System.Numerics;
using System.Text;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// Hostile key-exchange input, refused as OpenSSH's sshd refuses it: weak Diffie-Hellman public values (dh.c's
/// dh_pub_is_valid), and a peer's huge KEXINIT quoted back in the log, which is capped at OpenSSH's 1 KiB a line.
/// </summary>
public sealed class SshdHostileInputTests : IAsyncLifetime
{
    // RFC 3526's 2048-bit MODP group (group 14), the prime of diffie-hellman-group14-sha256.
    private static readonly BigInteger Group14 = BigInteger.Parse("0" +
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
        "15728E5A8AACAA68FFFFFFFFFFFFFFFF", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private LucidSshd _server = null!;

    public async Task InitializeAsync() => _server = await LucidSshd.StartAsync("KexAlgorithms diffie-hellman-group14-sha256,curve25519-sha256");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string> WeakValues => new()
    {
        { "0", "invalid public DH value: <= 1" },
        { "1", "invalid public DH value: <= 1" },
        { "2", "invalid public DH value (1/2048)" },
        { "2^1000", "invalid public DH value (1/2048)" },
        { "7", "invalid public DH value (3/2048)" },
        { "p-1", "invalid public DH value: >= p-1" },
        { "p", "invalid public DH value: >= p-1" },
    };

    private static BigInteger Value(string name) => name switch
    {
        "p" => Group14,
        "p-1" => Group14 - 1,
        "2^1000" => BigInteger.Pow(2, 1000),
        _ => BigInteger.Parse(name, CultureInfo.InvariantCulture),
    };

    [Theory]
    [MemberData(nameof(WeakValues))]
    public async Task A_weak_client_DH_value_ends_the_key_exchange(string e, string reason)
    {
        using var client = await RawSshClient.ConnectAsync(_server.Port);
        await client.SendPacketAsync(RawSshClient.KexInit("diffie-hellman-group14-sha256"));
        await client.SendPacketAsync(RawSshClient.KexDhInit(Value(e)));
        var answer = await client.ReadToCloseAsync();

        await _server.WaitForLogAsync($"Connection from 127.0.0.1 port {client.LocalPort}: {reason} [preauth]");
        Assert.False(ContainsKexDhReply(answer), "the server answered a weak e with its KEXDH_REPLY");
    }

    [Fact]
    public async Task Fifteen_has_four_bits_set_and_is_answered()
    {
        // The other side of the rule: 15 (binary 1111) is a poor choice but not one OpenSSH refuses.
        using var client = await RawSshClient.ConnectAsync(_server.Port);
        await client.SendPacketAsync(RawSshClient.KexInit("diffie-hellman-group14-sha256"));
        await client.SendPacketAsync(RawSshClient.KexDhInit(15));
        var answer = await client.ReadToCloseAsync(TimeSpan.FromSeconds(3));

        Assert.True(ContainsKexDhReply(answer), $"no KEXDH_REPLY for e = 15.\n--- sshd log\n{_server.Log}");
    }

    [Fact]
    public async Task A_huge_KEXINIT_quoted_in_the_log_is_cut_at_one_line_of_1_KiB()
    {
        // 250 KB of algorithm names nobody supports: "no matching key exchange method found. Their offer: ...".
        var names = string.Join(',', Enumerable.Range(0, 12_000).Select(i => $"bogus-{i}@example.com"));
        Assert.True(names.Length > 250_000);
        var ports = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            using var client = await RawSshClient.ConnectAsync(_server.Port);
            await client.SendPacketAsync(RawSshClient.KexInit(names));
            await client.ReadToCloseAsync();
            ports.Add(client.LocalPort);
        }

        var log = await _server.WaitForLogAsync($"Connection from 127.0.0.1 port {ports[^1]}: no matching key exchange method found. Their offer: bogus-0@example.com,");
        foreach (var port in ports)
        {
            var line = Assert.Single(log.Split('\n'), l => l.StartsWith($"Connection from 127.0.0.1 port {port}: no matching", StringComparison.Ordinal));
            Assert.Equal(1023, Encoding.UTF8.GetByteCount(line));
        }
        Assert.All(log.Split('\n'), l => Assert.True(Encoding.UTF8.GetByteCount(l) <= 1023, $"a log line of {l.Length} characters"));
        // Ten connections of 250 KB each left a log of about ten short lines each, not 2.5 MB.
        Assert.True(log.Length < 64 * 1024, $"the log is {log.Length} characters long");
    }

    /// <summary>Whether the server's unencrypted packets (after its banner and KEXINIT) include KEXDH_REPLY (31).</summary>
    private static bool ContainsKexDhReply(byte[] received)
    {
        var start = Array.IndexOf(received, (byte)'\n') + 1;
        if (start <= 0)
            return false;
        var offset = start;
        while (offset + 5 <= received.Length)
        {
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(received.AsSpan(offset));
            if (length < 5 || offset + 4 + length > received.Length)
                return false;
            if (received[offset + 5] == 31)
                return true;
            offset += 4 + length;
        }
        return false;
    }
}
