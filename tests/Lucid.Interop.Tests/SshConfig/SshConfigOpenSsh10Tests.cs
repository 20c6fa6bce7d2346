namespace Lucid.Interop.Tests.SshConfig;

/// <summary>
/// `lucid ssh -G` beside OpenSSH 10.5p1's `ssh -G` for what OpenSSH 10 added to ssh_config: Tag and -P with
/// `Match tagged`, `Match sessiontype`, `Match command`, `Match localnetwork`, `Match version`, VersionAddendum
/// with tokens, ObscureKeystrokeTiming, ChannelTimeout, RefuseConnection and the %j token (also inside %C).
/// Only the lines these options decide are compared: the rest of `lucid ssh -G` follows Debian's 9.2 and is
/// compared with it elsewhere.
/// </summary>
public sealed class SshConfigOpenSsh10Tests : IDisposable
{
    /// <summary>`ssh -G` lines that OpenSSH 10 added: left out when comparing with Debian's 9.2.</summary>
    public static readonly string[] Keywords = ["obscurekeystroketiming", "tag", "versionaddendum", "channeltimeout"];

    private static readonly string[] Compared = [.. Keywords, "user", "port", "controlpath", "hostname", "proxyjump"];

    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-ssh10-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(ProcessResult Ours, ProcessResult Theirs)> BothAsync(string config, string args)
    {
        var file = Path.Combine(_dir, "config");
        await File.WriteAllTextAsync(file, config);
        string[] argv = ["-G", "-F", file, .. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. argv]);
        var theirs = await ProcessRunner.RunAsync(OpenSsh105.Ssh, argv);
        return (ours, theirs);
    }

    private static List<string> Lines(string output) =>
        output.Split('\n').Where(l => Compared.Any(k => l.StartsWith(k + " ", StringComparison.Ordinal))).ToList();

    // ssh -G says this on stderr when it is run without a terminal and a command would get none; Lucid's -G does not.
    private static string Stderr(ProcessResult r) =>
        r.StdErr.Replace("Pseudo-terminal will not be allocated because stdin is not a terminal.\r\n", "", StringComparison.Ordinal);

    public static TheoryData<string, string> Cases => new()
    {
        { "", "h" },
        { "Tag work\nMatch tagged work\n  User tagged-user\n", "h" },
        { "Tag work\nMatch tagged other,!work\n  User wrong\n", "h" },
        { "Match tagged prod\n  Port 2022\nTag ignored\n", "-P prod h" },
        { "Match tagged \"\"\n  User untagged\n", "h" },
        { "Match sessiontype shell\n  User shell\nMatch sessiontype exec\n  User exec\nMatch sessiontype none\n  User none\nMatch sessiontype subsystem\n  User subsystem\n", "h" },
        { "Match sessiontype shell\n  User shell\nMatch sessiontype exec\n  User exec\nMatch sessiontype none\n  User none\nMatch sessiontype subsystem\n  User subsystem\n", "h echo hi" },
        { "Match sessiontype shell\n  User shell\nMatch sessiontype exec\n  User exec\nMatch sessiontype none\n  User none\nMatch sessiontype subsystem\n  User subsystem\n", "-N h" },
        { "Match sessiontype shell\n  User shell\nMatch sessiontype exec\n  User exec\nMatch sessiontype none\n  User none\nMatch sessiontype subsystem\n  User subsystem\n", "-s h sftp" },
        { "Match command \"ls*\"\n  User lister\nMatch command \"\"\n  User nocommand\n", "h ls -l" },
        { "Match command \"ls*\"\n  User lister\nMatch command \"\"\n  User nocommand\n", "h" },
        { "Match localnetwork 127.0.0.0/8,::1\n  User local\n", "h" },
        { "Match localnetwork 192.0.2.0/24\n  User documentation-net\n", "h" },
        { "Match !version OpenSSH_9*,OpenSSH_8*\n  User modern\n", "h" },
        { "VersionAddendum via %j to %h:%p # a comment\nProxyJump jumper\n", "h" },
        { "VersionAddendum none\n", "h" },
        { "ControlPath /tmp/cp-%j-%C\n", "-J alice@bastion:2222 h" },
        { "ControlPath /tmp/cp-%j-%C\n", "h" },
        { "ObscureKeystrokeTiming no\n", "h" },
        { "ObscureKeystrokeTiming interval:80\n", "h" },
        { "ObscureKeystrokeTiming interval:20\n", "h" },
        { "ChannelTimeout session=5m global=10 direct-*=1h\n", "h" },
        { "ChannelTimeout none\n", "h" },
        { "Host other\n  RefuseConnection \"not here\"\n", "h" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Lucid_ssh_G_matches_OpenSSH_10_5(string config, string args)
    {
        var (ours, theirs) = await BothAsync(config, args);
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(Lines(theirs.StdOut), Lines(ours.StdOut));
    }

    public static TheoryData<string> BadCases => new()
    {
        "Match user *\n  RefuseConnection \"go away, %h\"\n",
        "RefuseConnection\n",
        "Match localnetwork 192.0.2.1/24\n  User x\n",
        "Match localnetwork foo\n  User x\n",
        "ObscureKeystrokeTiming interval:0\n",
        "ObscureKeystrokeTiming interval:1001\n",
        "ObscureKeystrokeTiming maybe\n",
        "ObscureKeystrokeTiming yes no\n",
        "ObscureKeystrokeTiming\n",
        "ChannelTimeout session\n",
        "ChannelTimeout none x=1\n",
        "VersionAddendum\n",
        "Tag\n",
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public async Task Bad_OpenSSH_10_options_fail_as_in_OpenSSH_10_5(string config)
    {
        var (ours, theirs) = await BothAsync(config, "h");
        Assert.Equal(255, theirs.ExitCode);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(Stderr(theirs).Replace("\r\n", "\n"), ours.StdErr.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task Match_version_compares_Lucids_own_release()
    {
        var file = Path.Combine(_dir, "config");
        await File.WriteAllTextAsync(file, "Match version Lucid_*\n  User lucid-release\n");
        var ours = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", "-G", "-F", file, "h"]);
        Assert.Contains("user lucid-release\n", ours.StdOut);
    }
}
