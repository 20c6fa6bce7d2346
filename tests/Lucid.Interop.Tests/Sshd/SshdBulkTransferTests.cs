using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// 1 GiB each way between OpenSSH's ssh and `lucid sshd` with the key re-exchanged every 64 MiB by both
/// sides (RekeyLimit on the server and on the client): the SHA-256 of what arrives equals what was sent.
/// </summary>
public sealed class SshdBulkTransferTests
{
    private const long Size = 1L << 30;
    private const string RekeyLimit = "64M";

    private static Process StartSsh(LucidSshd server, string command, bool redirectInput)
    {
        var info = new ProcessStartInfo("ssh")
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-v", "-o", $"RekeyLimit={RekeyLimit}", "-o", "LogLevel=DEBUG1" })
            info.ArgumentList.Add(a);
        foreach (var a in server.SshArguments())
            info.ArgumentList.Add(a);
        info.ArgumentList.Add(command);
        return Process.Start(info)!;
    }

    /// <summary>Key exchanges the client saw complete: the first one plus every rekey.</summary>
    private static int KeyExchanges(string sshDebug) => Regex.Matches(sshDebug, "debug1: SSH2_MSG_NEWKEYS received").Count;

    [Fact]
    public async Task One_GiB_each_way_with_rekeys_arrives_intact()
    {
        await using var server = await LucidSshd.StartAsync($"RekeyLimit {RekeyLimit}", "LogLevel INFO");

        // Up: pseudo-random blocks (a random buffer, each block stamped with its number) into `sha256sum`.
        using (var up = StartSsh(server, "sha256sum", redirectInput: true))
        {
            var stderr = up.StandardError.ReadToEndAsync();
            var stdout = up.StandardOutput.ReadToEndAsync();
            var block = RandomNumberGenerator.GetBytes(1 << 20);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var input = up.StandardInput.BaseStream;
            for (long i = 0; i < Size / block.Length; i++)
            {
                BitConverter.TryWriteBytes(block.AsSpan(0, 8), i);
                hash.AppendData(block);
                await input.WriteAsync(block);
            }
            input.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await up.WaitForExitAsync(cts.Token);
            var debug = await stderr;
            Assert.True(up.ExitCode == 0, debug);
            Assert.Equal(Convert.ToHexStringLower(hash.GetHashAndReset()) + "  -\n", await stdout);
            Assert.True(KeyExchanges(debug) >= 16, $"only {KeyExchanges(debug)} key exchanges");
        }

        // Down: 1 GiB from /dev/urandom; the remote side reports its SHA-256 on stderr.
        using (var down = StartSsh(server, $"head -c {Size} /dev/urandom | tee >(sha256sum >&2)", redirectInput: false))
        {
            var stderr = down.StandardError.ReadToEndAsync();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var output = down.StandardOutput.BaseStream;
            var buffer = new byte[1 << 20];
            long total = 0;
            int n;
            while ((n = await output.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                total += n;
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await down.WaitForExitAsync(cts.Token);
            var debug = await stderr;
            Assert.True(down.ExitCode == 0, debug);
            Assert.Equal(Size, total);
            Assert.Contains(Convert.ToHexStringLower(hash.GetHashAndReset()) + "  -\n", debug);
            Assert.True(KeyExchanges(debug) >= 16, $"only {KeyExchanges(debug)} key exchanges");
        }
    }
}
