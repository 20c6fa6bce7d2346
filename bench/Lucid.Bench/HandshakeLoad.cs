using System.Diagnostics;
using System.Globalization;
using Lucid.Ssh.Client;

namespace Lucid.Bench;

/// <summary>
/// Full connections per second: each of --concurrency workers loops connect (KEX, host key, publickey auth),
/// exec `true`, wait for its exit, disconnect, until --seconds have passed. Prints one line:
/// `handshake rate R ok N errors E` (R = completed connections per second of wall time).
/// </summary>
public static class HandshakeLoad
{
    public static async Task<int> RunAsync(BenchOptions args)
    {
        var options = args.ClientOptions();
        var seconds = args.GetDouble("seconds", 20);
        var concurrency = args.GetInt("concurrency", 16);
        long ok = 0, errors = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < deadline)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    var client = await SshClient.ConnectAsync(args.Host, args.Port, options, timeout.Token).ConfigureAwait(false);
                    await using (client.ConfigureAwait(false))
                    {
                        var result = await client.RunCommandAsync("true", timeout.Token).ConfigureAwait(false);
                        if (result.ExitCode != 0)
                            throw new InvalidOperationException($"true exited with {result.ExitCode}: {result.StandardError}");
                    }
                    Interlocked.Increment(ref ok);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handshake rate {ok / elapsed:F1} ok {ok} errors {errors}"));
        if (firstError is not null)
            Console.Error.WriteLine($"first error: {firstError}");
        return ok > 0 ? 0 : 1;
    }
}
