using Lucid.Bench;

// Usage: Lucid.Bench [megabytes per cipher, default 256] [packet payload bytes, default 32768]
int megabytes = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 256;
int payload = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 32 * 1024;
foreach (var result in CipherBench.RunAll(megabytes, payload))
    Console.WriteLine(result);
