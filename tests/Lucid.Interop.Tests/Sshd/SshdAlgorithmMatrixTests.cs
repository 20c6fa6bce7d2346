namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// OpenSSH's ssh against `lucid sshd` across every key exchange, host key, cipher and MAC Lucid implements,
/// the legacy ones (SHA-1) switched on in the server's configuration. By default a covering subset, where every
/// pair of algorithms from two different categories meets in at least one connection (156 of them; see
/// <see cref="PairwiseRows"/>); LUCID_FULL_MATRIX=1 runs the complete product (2,772 connections; MACs with each
/// non-AEAD cipher, AEAD ciphers carry their own), which takes too long for every CI run.
/// Each connection completes the key exchange, authenticates and asks for a subsystem the server does not
/// have, so encrypted packets flow both ways without a process to start; <see cref="SshdExecTests"/> runs a
/// command under each algorithm alone.
/// </summary>
public sealed class SshdAlgorithmMatrixTests
{
    private static readonly string[] Kex =
    [
        "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1",
    ];

    private static readonly string[] HostKeys =
        ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];

    private static readonly string[] Aead = ["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"];

    private static readonly string[] Ctr = ["aes128-ctr", "aes192-ctr", "aes256-ctr"];

    private static readonly string[] Macs =
    [
        "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
        "hmac-sha1-etm@openssh.com", "umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
    ];

    private static IEnumerable<(string Kex, string HostKey, string Cipher, string? Mac)> Rows() =>
        FullMatrix ? AllRows() : PairwiseRows();

    private static bool FullMatrix => Environment.GetEnvironmentVariable("LUCID_FULL_MATRIX") == "1";

    private static IEnumerable<(string Kex, string HostKey, string Cipher, string? Mac)> AllRows() =>
        from kex in Kex
        from hostKey in HostKeys
        from pair in Aead.Select(c => (Cipher: c, Mac: (string?)null)).Concat(from c in Ctr from m in Macs select (Cipher: c, Mac: (string?)m))
        select (kex, hostKey, pair.Cipher, pair.Mac);

    /// <summary>
    /// For each KEX: each AEAD cipher once, and each MAC once with a CTR cipher; the host key index moves
    /// with the row ((k + c) mod 7 and (3k + m) mod 7 — 3 and 7 coprime, 11 and 10 rows ≥ 7), so every
    /// KEX×host key, KEX×cipher, KEX×MAC, host key×cipher, host key×MAC and cipher×MAC pair occurs.
    /// </summary>
    private static IEnumerable<(string Kex, string HostKey, string Cipher, string? Mac)> PairwiseRows()
    {
        for (var k = 0; k < Kex.Length; k++)
        {
            for (var c = 0; c < Aead.Length; c++)
                yield return (Kex[k], HostKeys[(k + c) % HostKeys.Length], Aead[c], null);
            for (var m = 0; m < Macs.Length; m++)
                yield return (Kex[k], HostKeys[(3 * k + m) % HostKeys.Length], Ctr[(k + m) % Ctr.Length], Macs[m]);
        }
    }

    [Fact]
    public async Task Every_combination_of_algorithms_works_with_OpenSSH()
    {
        var rows = Rows().ToList();
        if (FullMatrix)
            Assert.Equal(Kex.Length * HostKeys.Length * (Aead.Length + Ctr.Length * Macs.Length), rows.Distinct().Count());
        // The design above, checked: no pair of algorithms is left out.
        Assert.Equal(Kex.Length * HostKeys.Length, rows.Select(r => (r.Kex, r.HostKey)).Distinct().Count());
        Assert.Equal(Kex.Length * (Aead.Length + Ctr.Length), rows.Select(r => (r.Kex, r.Cipher)).Distinct().Count());
        Assert.Equal(HostKeys.Length * (Aead.Length + Ctr.Length), rows.Select(r => (r.HostKey, r.Cipher)).Distinct().Count());
        Assert.Equal(Kex.Length * Macs.Length, rows.Where(r => r.Mac is not null).Select(r => (r.Kex, r.Mac)).Distinct().Count());
        Assert.Equal(HostKeys.Length * Macs.Length, rows.Where(r => r.Mac is not null).Select(r => (r.HostKey, r.Mac)).Distinct().Count());
        Assert.Equal(Ctr.Length * Macs.Length, rows.Where(r => r.Mac is not null).Select(r => (r.Cipher, r.Mac)).Distinct().Count());

        await using var server = await LucidSshd.StartAsync(
            "KexAlgorithms +diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512," +
            "diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1," +
            "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521",
            "MACs +hmac-sha1,hmac-sha1-etm@openssh.com",
            "HostKeyAlgorithms +ssh-rsa,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521",
            "LogLevel INFO");
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        // A few at a time: the machines running this have few cores, and the DH groups cost much CPU each.
        using var slots = new SemaphoreSlim(4);
        await Task.WhenAll(rows.Select(async row =>
        {
            await slots.WaitAsync();
            try
            {
                string[] options =
                [
                    "-v", "-o", $"KexAlgorithms={row.Kex}", "-o", $"HostKeyAlgorithms={row.HostKey}", "-o", $"Ciphers={row.Cipher}",
                    .. row.Mac is null ? Array.Empty<string>() : ["-o", $"MACs={row.Mac}"], "-s",
                ];
                var r = await server.SshAsync("nonesuch", options: options);
                var mac = row.Mac ?? "<implicit>";
                string[] expected =
                [
                    $"debug1: kex: algorithm: {row.Kex}\r\n",
                    $"debug1: kex: host key algorithm: {row.HostKey}\r\n",
                    $"debug1: kex: server->client cipher: {row.Cipher} MAC: {mac} compression: none\r\n",
                    $"debug1: kex: client->server cipher: {row.Cipher} MAC: {mac} compression: none\r\n",
                    "subsystem request failed on channel 0",
                ];
                if (r.ExitCode != 255 || expected.Any(e => !r.StdErr.Contains(e, StringComparison.Ordinal)))
                    failures.Add($"{row}: exit {r.ExitCode}\n{r.StdErr}");
            }
            finally
            {
                slots.Release();
            }
        }));
        Assert.True(failures.IsEmpty, $"{failures.Count} of {rows.Count} failed:\n{string.Join("\n", failures.Take(3))}");
    }
}
