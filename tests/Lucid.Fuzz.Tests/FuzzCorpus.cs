namespace Lucid.Fuzz.Tests;

/// <summary>Where the committed corpus lives (fuzz/corpus/TARGET), found from the test's output folder.</summary>
internal static class FuzzCorpus
{
    public static string Root { get; } = Find();

    public static List<byte[]> For(string target) => FuzzRun.LoadCorpus(Root, target);

    public static IEnumerable<object[]> Targets => FuzzTargets.All.Select(t => new object[] { t.Name });

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var corpus = Path.Combine(dir.FullName, "fuzz", "corpus");
            if (File.Exists(Path.Combine(dir.FullName, "Lucid.slnx")) && Directory.Exists(corpus))
                return corpus;
        }
        throw new DirectoryNotFoundException("fuzz/corpus not found above " + AppContext.BaseDirectory);
    }
}
