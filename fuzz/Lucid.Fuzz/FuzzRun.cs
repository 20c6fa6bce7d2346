using System.Diagnostics;

namespace Lucid.Fuzz;

/// <summary>What one in-process run did: inputs tried, and the first input of each distinct unexpected failure.</summary>
public sealed record FuzzRunResult(string Target, long Inputs, TimeSpan Elapsed, IReadOnlyList<FuzzFailure> Failures);

/// <summary>An input that made a parser throw something other than its typed error (or hang).</summary>
public sealed record FuzzFailure(string Signature, Exception Exception, byte[] Input);

/// <summary>
/// The in-process mode: the corpus first, unchanged, then mutations of it until the input count or the time runs
/// out. Each input runs on a worker; one that takes longer than <see cref="HangLimit"/> is reported as a hang.
/// </summary>
public static class FuzzRun
{
    public static TimeSpan HangLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <param name="corpusFirst">Run the corpus unchanged before the mutations (off when the caller replays it itself).</param>
    public static FuzzRunResult Run(FuzzTarget target, IReadOnlyList<byte[]> corpus, int seed, long maxInputs, TimeSpan maxTime,
        Action<long>? progress = null, bool corpusFirst = true)
    {
        var failures = new Dictionary<string, FuzzFailure>();
        var mutator = new Mutator(corpus, seed);
        var clock = Stopwatch.StartNew();
        long inputs = 0;
        byte[]? current = null;
        long lastBeat = 0;
        var worker = Task.Factory.StartNew(() =>
        {
            while (inputs < maxInputs && clock.Elapsed < maxTime)
            {
                var input = corpusFirst && inputs < corpus.Count ? corpus[(int)inputs] : mutator.Next();
                Volatile.Write(ref current, input);
                if (RunOne(target, input) is { } failure)
                    failures.TryAdd(failure.Signature, failure);
                Interlocked.Increment(ref inputs);
                if (progress is not null && inputs - lastBeat >= 100_000)
                {
                    lastBeat = inputs;
                    progress(inputs);
                }
            }
        }, TaskCreationOptions.LongRunning);

        long seen = -1;
        while (!worker.Wait(HangLimit))
        {
            long now = Interlocked.Read(ref inputs);
            if (now == seen)
            {
                var stuck = Volatile.Read(ref current) ?? [];
                lock (failures)
                    failures.TryAdd("hang", new FuzzFailure("hang", new TimeoutException($"one input ran longer than {HangLimit.TotalSeconds} s"), stuck));
                return new FuzzRunResult(target.Name, now, clock.Elapsed, [.. failures.Values]);
            }
            seen = now;
        }
        worker.GetAwaiter().GetResult();
        return new FuzzRunResult(target.Name, inputs, clock.Elapsed, [.. failures.Values]);
    }

    /// <summary>Runs one input; null when the parser accepted it or refused it with its typed error.</summary>
    public static FuzzFailure? RunOne(FuzzTarget target, byte[] input)
    {
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception e) when (FuzzTarget.IsExpected(Unwrap(e)))
        {
            return null;
        }
        catch (Exception e)
        {
            return new FuzzFailure(Signature(Unwrap(e)), Unwrap(e), input);
        }
    }

    /// <summary>The exception type and the innermost Lucid frame: one entry per distinct bug, not per input.</summary>
    public static string Signature(Exception e)
    {
        var frame = new StackTrace(e, fNeedFileInfo: false).GetFrames()
            .Select(f => f.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType?.Namespace?.StartsWith("Lucid.Ssh", StringComparison.Ordinal) == true);
        return $"{e.GetType().Name} at {frame?.DeclaringType?.Name}.{frame?.Name}";
    }

    private static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : e;

    /// <summary>The corpus of a target: every file under fuzz/corpus/NAME, in name order.</summary>
    public static List<byte[]> LoadCorpus(string corpusRoot, string target)
    {
        var directory = Path.Combine(corpusRoot, target);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList()
            : [];
    }
}
