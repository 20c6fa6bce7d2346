using System.Text.RegularExpressions;

namespace Lucid.Interop.Tests.Bench;

/// <summary>
/// Runs bench/run.sh at its tiniest sizes against real OpenSSH and lucid sshd, so the benchmark harness cannot
/// rot: it must finish cleanly and print every row of its table with a figure in every cell it measures.
/// The figures themselves are not asserted (speed is not a test).
/// </summary>
public sealed partial class BenchSmokeTests
{
    private static readonly string[] Throughput =
        ["chacha20-poly1305", "aes128-gcm", "aes256-gcm", "aes128-ctr+hmac-sha2-256-etm"];

    [Fact]
    public async Task TinyRunPrintsACompleteTable()
    {
        var root = RepositoryRoot();
        var environment = new Dictionary<string, string>
        {
            ["LUCID"] = global::Lucid.Interop.Tests.Lucid.Executable,
            ["BENCH_TOOL"] = Path.Combine(AppContext.BaseDirectory, "Lucid.Bench.dll"),
        };
        var result = await ProcessRunner.RunAsync("bash", [Path.Combine(root, "bench", "run.sh"), "--tiny", "--no-build"],
            environment: environment, timeout: TimeSpan.FromSeconds(150));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("error", result.StdOut, StringComparison.OrdinalIgnoreCase);
        // The main table: from its header to the first line that is not a table row.
        var rows = result.StdOut.Split('\n').SkipWhile(l => !l.StartsWith("| measure |", StringComparison.Ordinal))
            .TakeWhile(l => l.StartsWith('|')).Where(l => !l.StartsWith("|---", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rows);
        Assert.Equal("| measure | unit | OpenSSH→OpenSSH | Lucid→OpenSSH | OpenSSH→Lucid | Lucid→Lucid |", rows[0]);

        const string All = "OO LO OL LL", Library = "LO LL";
        foreach (var cipher in Throughput)
        {
            AssertRow(rows, $"{cipher} upload", "MB/s", All);
            AssertRow(rows, $"{cipher} download", "MB/s", All);
        }
        AssertRow(rows, "connect+auth+true+exit", "ms", All);
        AssertRow(rows, "handshake rate", "conn/s", Library);
        AssertRow(rows, "idle session PSS @20", "KiB/session", Library);
        AssertRow(rows, "idle session PSS @40", "KiB/session", "LL");
        AssertRow(rows, "managed alloc down", "B/MiB", Library);
        AssertRow(rows, "managed alloc up", "B/MiB", Library);
        Assert.Equal(1 + Throughput.Length * 2 + 6, rows.Count); // the header, then every row once
    }

    /// <summary>The row exists, and exactly the pairings in <paramref name="measured"/> hold a figure ("—" elsewhere).</summary>
    private static void AssertRow(List<string> rows, string measure, string unit, string measured)
    {
        var row = rows.SingleOrDefault(r => r.StartsWith($"| {measure} | {unit} |", StringComparison.Ordinal));
        Assert.True(row is not null, $"no row '{measure}' in:\n{string.Join('\n', rows)}");
        var cells = row.Split('|', StringSplitOptions.TrimEntries)[3..7];
        string[] pairings = ["OO", "LO", "OL", "LL"];
        for (var i = 0; i < 4; i++)
        {
            if (measured.Contains(pairings[i], StringComparison.Ordinal))
                Assert.True(Figure().IsMatch(cells[i]), $"{measure} {pairings[i]}: '{cells[i]}'");
            else
                Assert.Equal("—", cells[i]);
        }
    }

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?( \[[-0-9.e+]+–[-0-9.e+]+\])?( \([-0-9.]+×\))?$")]
    private static partial Regex Figure();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "bench", "run.sh")))
                return dir.FullName;
        }
        throw new InvalidOperationException("bench/run.sh not found above " + AppContext.BaseDirectory);
    }
}
