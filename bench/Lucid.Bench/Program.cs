using System.Globalization;
using Lucid.Bench;

// Usage:
//   Lucid.Bench [megabytes per cipher, default 256] [packet payload bytes, default 32768]   cipher microbenchmark
//   Lucid.Bench handshake --port P --user U --key K [--seconds 20] [--concurrency 16]     full connections per second
//   Lucid.Bench hold --port P --user U --key K --count N [--concurrency 16]                idle authenticated sessions
//   Lucid.Bench alloc --key K --user U [--port P] [--mib 256] [--direction down|up] [--cipher C] [--mac M]
//                                                                                        managed bytes per MiB
if (args.Length > 0 && !char.IsAsciiDigit(args[0][0]))
{
    try
    {
        var options = BenchOptions.Parse(args.AsSpan(1));
        return args[0] switch
        {
            "handshake" => await HandshakeLoad.RunAsync(options),
            "hold" => await SessionHolder.RunAsync(options),
            "alloc" => await AllocationBench.RunAsync(options),
            _ => throw new ArgumentException($"unknown mode '{args[0]}'"),
        };
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"Lucid.Bench {args[0]}: {e.GetType().Name}: {e.Message}");
        return 1;
    }
}

int megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
int payload = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32 * 1024;
foreach (var result in CipherBench.RunAll(megabytes, payload))
    Console.WriteLine(result);
return 0;
