using System.Globalization;
using Lucid.Fuzz;

// Lucid.Fuzz list                          the harnesses
// Lucid.Fuzz afl TARGET                    one afl++ child (fuzz/run-afl.sh starts it; input on stdin / @@ file)
// Lucid.Fuzz mutate TARGET [options]       the in-process mutation run: --inputs N --seconds S --seed N
//                                          --corpus DIR (default fuzz/corpus) --crashes DIR (failing inputs saved there)
// Lucid.Fuzz replay TARGET FILE...         runs inputs (a crash afl++ found, a corpus entry) and prints what happened
// Lucid.Fuzz record OUTDIR                 records the corpus from real OpenSSH (see Recorder)
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Lucid.Fuzz list | afl TARGET | mutate TARGET [--inputs N] [--seconds S] [--seed N] [--corpus DIR] [--crashes DIR] | replay TARGET FILE... | record OUTDIR");
    return 2;
}
switch (args[0])
{
    case "list":
        foreach (var t in FuzzTargets.All)
            Console.WriteLine($"{t.Name,-16} {t.Parser}");
        return 0;
    case "afl":
    {
        var target = FuzzTargets.Find(args[1]);
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            try
            {
                target.Run(buffer.ToArray());
            }
            catch (Exception e) when (FuzzTarget.IsExpected(e))
            {
                // The parser's own refusal: not a crash.
            }
        });
        return 0;
    }
    case "mutate":
    {
        var target = FuzzTargets.Find(args[1]);
        long inputs = long.Parse(Option("--inputs") ?? "1000000", CultureInfo.InvariantCulture);
        double seconds = double.Parse(Option("--seconds") ?? "86400", CultureInfo.InvariantCulture);
        int seed = int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture);
        var corpusRoot = Option("--corpus") ?? Path.Combine(RepoRoot(), "fuzz", "corpus");
        var crashes = Option("--crashes");
        var corpus = FuzzRun.LoadCorpus(corpusRoot, target.Name);
        Console.WriteLine($"{target.Name}: {corpus.Count} corpus entries, seed {seed}, up to {inputs:N0} inputs or {seconds} s");
        var result = FuzzRun.Run(target, corpus, seed, inputs, TimeSpan.FromSeconds(seconds),
            n => Console.WriteLine($"  {n:N0} inputs"));
        Console.WriteLine($"{target.Name}: {result.Inputs:N0} inputs in {result.Elapsed.TotalSeconds:F0} s ({result.Inputs / Math.Max(1, result.Elapsed.TotalSeconds):N0}/s), {result.Failures.Count} distinct failures");
        foreach (var failure in result.Failures)
        {
            Console.WriteLine($"FAILURE {failure.Signature}: {failure.Exception.Message}");
            Console.WriteLine(failure.Exception.StackTrace);
            if (crashes is not null)
            {
                Directory.CreateDirectory(crashes);
                var file = Path.Combine(crashes, $"{target.Name}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(failure.Input))[..16].ToLowerInvariant()}");
                File.WriteAllBytes(file, failure.Input);
                Console.WriteLine($"  input saved to {file}");
            }
        }
        return result.Failures.Count == 0 ? 0 : 1;
    }
    case "replay":
    {
        var target = FuzzTargets.Find(args[1]);
        int failed = 0;
        foreach (var file in args.Skip(2))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var failure = FuzzRun.RunOne(target, File.ReadAllBytes(file));
            var ms = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine(failure is null ? $"{file}: ok ({ms:F1} ms)" : $"{file}: FAILURE {failure.Signature} ({ms:F1} ms)\n{failure.Exception}");
            failed += failure is null ? 0 : 1;
        }
        return failed == 0 ? 0 : 1;
    }
    case "record":
        return Lucid.Fuzz.Recording.Recorder.Run(args[1]);
    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Lucid.slnx")))
            return dir.FullName;
    }
    return Directory.GetCurrentDirectory();
}
