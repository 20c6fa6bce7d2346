using System.Globalization;
using Lucid.Ssh.Client;

namespace Lucid.Bench;

/// <summary>
/// Opens --count authenticated connections (no channels: idle sessions, like `ssh -N`), --concurrency at a
/// time, prints `held N errors E` once they are all up, then keeps them until stdin reaches end of file or
/// --hold-seconds pass, and disconnects them all.
/// </summary>
public static class SessionHolder
{
    public static async Task<int> RunAsync(BenchOptions args)
    {
        var options = args.ClientOptions();
        var count = args.GetInt("count");
        var concurrency = args.GetInt("concurrency", 16);
        var hold = TimeSpan.FromSeconds(args.GetDouble("hold-seconds", 600));
        var clients = new SshClient?[count];
        long errors = 0;
        string? firstError = null;
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                for (var attempt = 0; attempt < 3 && clients[i] is null; attempt++)
                {
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                        clients[i] = await SshClient.ConnectAsync(args.Host, args.Port, options, timeout.Token).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        var held = clients.Count(c => c is not null);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held {held} errors {errors}"));
        if (firstError is not null)
            Console.Error.WriteLine($"first error: {firstError}");
        Console.Out.Flush();

        // Hold until the harness closes our stdin (or the time runs out), so it can measure the server meanwhile.
        var stdinClosed = Task.Run(() => Console.In.ReadToEnd());
        await Task.WhenAny(stdinClosed, Task.Delay(hold)).ConfigureAwait(false);
        await Task.WhenAll(clients.Where(c => c is not null).Select(c => c!.DisposeAsync().AsTask())).ConfigureAwait(false);
        return held == count ? 0 : 1;
    }
}
