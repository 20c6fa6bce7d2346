using System.Security.Cryptography;
using Xunit.Abstractions;

namespace Lucid.Fuzz.Tests;

/// <summary>
/// The CI part of fuzzing: every harness runs its committed corpus (recorded from OpenSSH 9.2 and 10.5), then
/// mutations of it for a few seconds, and fails on any exception other than the parser's typed SshException, or on
/// a hang. The seed is fixed so a failure reproduces; the failing input is printed (base64) and saved under
/// artifacts/fuzz-failures for `Lucid.Fuzz replay TARGET FILE`. LUCID_FUZZ_SECONDS changes the time per harness.
/// </summary>
public sealed class FuzzRunTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PerTarget = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("LUCID_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 5);

    public static IEnumerable<object[]> Targets => FuzzCorpus.Targets;

    [Theory]
    [MemberData(nameof(Targets))]
    public void RecordedCorpusParsesWithoutUnexpectedErrors(string name)
    {
        var target = FuzzTargets.Find(name);
        var corpus = FuzzCorpus.For(name);
        Assert.True(corpus.Count > 0, $"fuzz/corpus/{name} is empty: run fuzz/record-corpus.sh");
        var failures = corpus.Select(input => FuzzRun.RunOne(target, input)).OfType<FuzzFailure>().ToList();
        Report(name, failures);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MutatedCorpusRaisesOnlyTypedErrors(string name)
    {
        var target = FuzzTargets.Find(name);
        var corpus = FuzzCorpus.For(name);
        int seed = BitConverter.ToInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)));
        // The corpus itself is replayed by the test above; here every input is a mutation.
        var result = FuzzRun.Run(target, corpus, seed, long.MaxValue, PerTarget, corpusFirst: false);
        output.WriteLine($"{name}: {result.Inputs:N0} inputs in {result.Elapsed.TotalSeconds:F1} s from {corpus.Count} corpus entries, seed {seed}");
        Assert.True(result.Inputs > 0, $"{name}: no input ran");
        Report(name, result.Failures);
    }

    private void Report(string name, IReadOnlyList<FuzzFailure> failures)
    {
        if (failures.Count == 0)
            return;
        var directory = Path.Combine(FuzzCorpus.Root, "..", "..", "artifacts", "fuzz-failures");
        Directory.CreateDirectory(directory);
        foreach (var failure in failures)
        {
            var file = Path.GetFullPath(Path.Combine(directory, $"{name}-{Convert.ToHexString(SHA256.HashData(failure.Input))[..16].ToLowerInvariant()}"));
            File.WriteAllBytes(file, failure.Input);
            output.WriteLine($"{failure.Signature}\n{failure.Exception}\ninput ({failure.Input.Length} bytes, saved to {file}):\n{Convert.ToBase64String(failure.Input)}\n");
        }
        Assert.Fail($"{name}: {failures.Count} distinct unexpected failures: {string.Join("; ", failures.Select(f => f.Signature + ": " + f.Exception.Message))}");
    }
}
