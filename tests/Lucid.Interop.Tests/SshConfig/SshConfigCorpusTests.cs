using Lucid.Ssh.OpenSsh;
using OpenSshConfig = global::Lucid.Ssh.OpenSsh.SshConfig;

namespace Lucid.Interop.Tests.SshConfig;

/// <summary>
/// For every case of the corpus, Lucid's effective configuration (in-process, through the library) equals what
/// OpenSSH's `ssh -G -F file host` prints, line by line; bad files give the same messages and exit status 255.
/// The algorithm lists are compared too: the library is given OpenSSH 9.2's default and supported lists
/// (<see cref="SshConfigAlgorithms.OpenSsh92"/>), so +, - and ^ edits are checked against the same base.
/// </summary>
public sealed class SshConfigCorpusTests(SshConfigCorpus corpus) : IClassFixture<SshConfigCorpus>
{
    public static TheoryData<string, string> GoodCases => SshConfigCorpus.Cases("", errors: false);
    public static TheoryData<string, string> BadCases => SshConfigCorpus.Cases("", errors: true);

    [Theory]
    [MemberData(nameof(GoodCases))]
    public async Task Effective_config_equals_ssh_G(string file, string caseLine)
    {
        var args = SshConfigCorpus.SplitArgs(caseLine);
        var openssh = await corpus.RunOpenSshAsync(file, args);
        Assert.True(openssh.ExitCode == 0, $"ssh -G failed on a corpus file meant to be good: {openssh}");

        var lucid = Resolve(file, args);
        Assert.Equal(openssh.StdOut, SshConfigCorpus.WithoutOpenSsh10Lines(lucid.FormatLikeSshG()));
        Assert.Equal(SshConfigCorpus.DiagnosticLines(openssh.StdErr), lucid.Diagnostics);
    }

    [Theory]
    [MemberData(nameof(BadCases))]
    public async Task Bad_config_fails_with_sshs_messages(string file, string caseLine)
    {
        var args = SshConfigCorpus.SplitArgs(caseLine);
        var openssh = await corpus.RunOpenSshAsync(file, args);
        Assert.Equal(255, openssh.ExitCode);

        var error = Assert.Throws<SshConfigException>(() => Resolve(file, args));
        Assert.Equal(SshConfigCorpus.DiagnosticLines(openssh.StdErr), error.Lines);
        Assert.Equal(255, error.ExitCode);
    }

    [Fact]
    public void Corpus_has_at_least_forty_good_files_and_a_dozen_bad_ones()
    {
        var files = Directory.GetFiles(SshConfigCorpus.CorpusDirectory, "*.conf").Select(Path.GetFileName).ToList();
        Assert.True(files.Count(f => !f!.StartsWith("err-", StringComparison.Ordinal)) >= 40);
        Assert.True(files.Count(f => f!.StartsWith("err-", StringComparison.Ordinal)) >= 12);
    }

    private EffectiveSshConfig Resolve(string file, List<string> args)
    {
        var options = new List<string>();
        for (var i = 0; i < args.Count - 1; i++)
        {
            Assert.Equal("-o", args[i]);
            options.Add(args[++i]);
        }
        return OpenSshConfig.Resolve(args[^1], new SshConfigResolveOptions
        {
            ConfigFile = corpus.FileFor(file),
            CommandLineOptions = options,
            GetEnvironmentVariable = corpus.GetEnvironmentVariable,
            Algorithms = SshConfigAlgorithms.OpenSsh92,
        });
    }
}
