using System.Collections.Concurrent;
using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.Client;
using Lucid.Ssh.Crypto;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// KEX × host key algorithm × cipher × MAC against OpenSSH's sshd, each connection running a command whose
/// output and exit status are checked, in-process through SshClient. By default a covering subset of the
/// pairs that interact: every KEX with every host key algorithm (the exchange hash is signed by the host key),
/// and every cipher/MAC pair with one KEX of each exchange-hash function (keys are derived from that hash to
/// the cipher's and MAC's sizes) — about 550 connections. LUCID_FULL_MATRIX=1 runs the complete four-way
/// product instead (nearly 10,000 connections since the legacy algorithms joined the tables: too long for CI).
/// Through the `lucid ssh` command line: each algorithm once, chosen with the flags a user types.
/// </summary>
public sealed class AlgorithmMatrixTests : IAsyncLifetime
{
    // sshd drops unauthenticated connections beyond MaxStartups (10 by default); stay well under it.
    private const int Parallelism = 6;

    private OpenSshServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenSshServer.StartAsync("LogLevel INFO", "MaxStartups 50");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static IEnumerable<(string Cipher, string? Mac)> CipherMacPairs()
    {
        foreach (var cipher in AlgorithmRegistry.Cipher)
        {
            if (cipher.IsAead)
                yield return (cipher.Name, null);
            else
                foreach (var mac in AlgorithmRegistry.Mac)
                    yield return (cipher.Name, mac.Name);
        }
    }

    /// <summary>The client key whose type signs with <paramref name="hostKeyAlgorithm"/>'s family, so the user key varies too.</summary>
    private static string KeyTypeFor(string hostKeyAlgorithm) => hostKeyAlgorithm switch
    {
        "ssh-ed25519" => "ed25519",
        "ecdsa-sha2-nistp256" => "ecdsa256",
        "ecdsa-sha2-nistp384" => "ecdsa384",
        "ecdsa-sha2-nistp521" => "ecdsa521",
        _ => "rsa",
    };

    [Fact]
    public async Task Every_combination_connects_and_runs_a_command_in_process()
    {
        var full = Environment.GetEnvironmentVariable("LUCID_FULL_MATRIX") == "1";
        var pairs = CipherMacPairs().ToList();
        // What Debian's OpenSSH 9.2 implements; the slow post-quantum KEMs get one row each rather than the whole product.
        var kexes = AlgorithmRegistry.Kex.Where(k => OpenSshPeer.Debian92.SupportsKex(k.Name)).ToList();
        var classical = kexes.Where(k => !k.IsPostQuantum).ToList();
        // The cheapest KEX of each exchange-hash function (the registry lists faster methods first).
        var onePerHash = classical.GroupBy(k => k.Hash).Select(g => g.First()).ToList();
        var combinations = (full
            ? (from kex in classical
               from hostKey in AlgorithmRegistry.HostKey
               from pair in pairs
               select (Kex: kex.Name, HostKey: hostKey.Name, pair.Cipher, pair.Mac)).ToList()
            : [.. (from kex in classical
                   from hostKey in AlgorithmRegistry.HostKey
                   let pair = pairs[(kex.Name.Length + hostKey.Name.Length) % pairs.Count]
                   select (Kex: kex.Name, HostKey: hostKey.Name, pair.Cipher, pair.Mac))
               .Concat(from kex in onePerHash
                       from pair in pairs
                       select (Kex: kex.Name, HostKey: "ssh-ed25519", pair.Cipher, pair.Mac))
               .Distinct()])
            .Concat(from kex in kexes.Where(k => k.IsPostQuantum)
                    select (Kex: kex.Name, HostKey: "ssh-ed25519", pairs[0].Cipher, pairs[0].Mac))
            .ToList();
        var failures = new ConcurrentBag<string>();
        var trusted = File.ReadAllLines(_server.KnownHostsPath).Select(l => l.Split(' ')[2]).ToHashSet();

        await Parallel.ForEachAsync(Enumerable.Range(0, combinations.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var c = combinations[i];
            var options = new SshClientOptions
            {
                User = _server.User,
                HostKeyVerifier = (context, _) => ValueTask.FromResult(trusted.Contains(Convert.ToBase64String(context.HostKey.Blob.Span))),
                KexAlgorithms = [c.Kex],
                HostKeyAlgorithms = [c.HostKey],
                Ciphers = [c.Cipher],
                Macs = c.Mac is null ? null : [c.Mac],
            };
            options.IdentityFiles.Add(_server.ClientKeyPath(KeyTypeFor(c.HostKey)));
            var label = $"{c.Kex} {c.HostKey} {c.Cipher} {c.Mac ?? "<implicit>"}";
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await using var client = await SshClient.ConnectAsync(_server.Host, _server.Port, options, timeout.Token);
                var result = await client.RunCommandAsync($"echo {i}; exit {i % 7}", timeout.Token);
                if (result.StandardOutput != $"{i}\n" || result.ExitCode != i % 7)
                    failures.Add($"{label}: output {result.StandardOutput.Trim()} exit {result.ExitCode}");
            }
            catch (Exception e)
            {
                failures.Add($"{label}: {e.GetType().Name}: {e.Message}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {combinations.Count} combinations failed:\n" + string.Join('\n', failures.Order().Take(50)));
    }

    public static TheoryData<string, string> CommandLineRuns()
    {
        var data = new TheoryData<string, string>();
        foreach (var kex in AlgorithmRegistry.Kex.Where(k => OpenSshPeer.Debian92.SupportsKex(k.Name)))
            data.Add("KexAlgorithms", kex.Name);
        foreach (var hostKey in AlgorithmRegistry.HostKey)
            data.Add("HostKeyAlgorithms", hostKey.Name);
        foreach (var cipher in AlgorithmRegistry.Cipher)
            data.Add("Ciphers", cipher.Name);
        foreach (var mac in AlgorithmRegistry.Mac)
            data.Add("MACs", mac.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandLineRuns))]
    public async Task Each_algorithm_through_the_command_line(string option, string name)
    {
        // MACs only matter with a non-AEAD cipher; -c and -m are the flags a user would type.
        string[] choose = option switch
        {
            "Ciphers" => ["-c", name],
            "MACs" => ["-c", "aes256-ctr", "-m", name],
            _ => ["-o", $"{option}={name}"],
        };
        var args = _server.SshArguments(option == "HostKeyAlgorithms" ? KeyTypeFor(name) : "ed25519");
        var result = await Lucid.RunAsync(["ssh", .. choose, "-v", .. args, "echo", name, ";", "exit", "9"]);
        Assert.True(result.ExitCode == 9, result.ToString());
        Assert.Equal(name + "\n", result.StdOut);
        // -v shows that the algorithm was really the negotiated one.
        var expected = option switch
        {
            "KexAlgorithms" => $"debug1: kex: algorithm: {name}\r\n",
            "HostKeyAlgorithms" => $"debug1: kex: host key algorithm: {name}\r\n",
            "Ciphers" => $"debug1: kex: server->client cipher: {name} MAC: ",
            _ => $"debug1: kex: server->client cipher: aes256-ctr MAC: {name} compression: none\r\n",
        };
        Assert.Contains(expected, result.StdErr);
    }
}
