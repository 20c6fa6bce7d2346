using PublicApiGenerator;

namespace Lucid.Ssh.Tests.PublicApi;

/// <summary>
/// The library's public surface is a decision, not an accident: it must match the committed snapshot. After an
/// intended change, regenerate it with `LUCID_ACCEPT_API=1 dotnet test tests/Lucid.Ssh.Tests --filter PublicApi`
/// and commit the file with the change.
/// </summary>
public sealed class PublicApiTests
{
    private static string SnapshotPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Lucid.slnx")))
                    return Path.Combine(dir.FullName, "tests", "Lucid.Ssh.Tests", "PublicApi", "Lucid.Ssh.approved.txt");
            throw new InvalidOperationException("Lucid.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public void Public_api_matches_the_committed_snapshot()
    {
        var api = typeof(SshException).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false })
            .ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("LUCID_ACCEPT_API") == "1")
            File.WriteAllText(SnapshotPath, api);
        var approved = File.Exists(SnapshotPath) ? File.ReadAllText(SnapshotPath).ReplaceLineEndings("\n") : "";

        var actualLines = api.Split('\n');
        var approvedLines = approved.Split('\n');
        var firstDifference = Enumerable.Range(0, Math.Max(actualLines.Length, approvedLines.Length))
            .FirstOrDefault(i => i >= actualLines.Length || i >= approvedLines.Length || actualLines[i] != approvedLines[i], -1);
        if (firstDifference < 0)
            return;
        Assert.Fail($"The public API differs from {SnapshotPath} at line {firstDifference + 1}:\n" +
            $"  snapshot: {(firstDifference < approvedLines.Length ? approvedLines[firstDifference] : "(end)")}\n" +
            $"  actual:   {(firstDifference < actualLines.Length ? actualLines[firstDifference] : "(end)")}\n" +
            "If the change is intended, run the test with LUCID_ACCEPT_API=1 and commit the snapshot.");
    }
}
