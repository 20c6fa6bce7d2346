namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// `lucid sshd -T/-t` beside OpenSSH 10.5p1's for the keywords OpenSSH 10 added or changed. OpenSSH 10 prints
/// keywords in their mixed-case spelling; Lucid keeps 9.2's lowercase for the whole dump, so keywords are
/// compared case-insensitively and values exactly.
/// </summary>
public sealed class SshdConfigOpenSsh10Tests : IDisposable
{
    /// <summary>The dump lines compared here rather than with Debian's 9.2.</summary>
    public static readonly string[] Keywords = ["persourcepenalties", "persourcepenaltyexemptlist", "refuseconnection", "channeltimeout"];

    private static readonly string[] Compared = [.. Keywords, "unusedconnectiontimeout", "persourcenetblocksize", "rekeylimit"];

    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-sshd10-config-").FullName;
    private readonly string _hostKey;

    public SshdConfigOpenSsh10Tests()
    {
        _hostKey = Path.Combine(_dir, "host_ed25519");
        var r = ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", _hostKey]).GetAwaiter().GetResult();
        Assert.Equal(0, r.ExitCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(ProcessResult Ours, ProcessResult Theirs)> BothAsync(string config, params string[] extra)
    {
        var file = Path.Combine(_dir, "sshd_config");
        await File.WriteAllTextAsync(file, config);
        string[] args = [.. extra, "-f", file, "-h", _hostKey];
        var ours = await Lucid.RunAsync(["sshd", .. args]);
        // OpenSSH 10's sshd checks that the session binaries exist even for -T.
        var theirs = await ProcessRunner.RunAsync(OpenSsh105.Path("sshd"),
            [.. args, "-o", $"SshdSessionPath={OpenSsh105.Path("sshd-session")}", "-o", $"SshdAuthPath={OpenSsh105.Path("sshd-auth")}"]);
        return (ours, theirs);
    }

    private static List<string> Lines(string dump) =>
        dump.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.IndexOf(' ') is var sp and > 0 ? l[..sp].ToLowerInvariant() + l[sp..] : l)
            .Where(l => Compared.Any(k => l.StartsWith(k + " ", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string, string> Configs => new()
    {
        { "", "" },
        { "PerSourcePenalties no\n", "" },
        { "PerSourcePenalties crash:2m authfail:2.5 noauth:0 invaliduser:1m30s grace-exceeded:20 refuseconnection:1h max:1d min:1.5s\n", "" },
        { "PerSourcePenalties max-sources4:10 max-sources6:20 overflow:deny-all\nPerSourcePenalties authfail:1\n", "" },
        { "PerSourcePenalties overflow:deny-all overflow6:permissive\n", "" },
        // A setting after "no" switches penalties back on, as OpenSSH does.
        { "PerSourcePenalties no\nPerSourcePenalties min:3\n", "" },
        { "PerSourcePenaltyExemptList 192.0.2.0/24,!10.1.2.3,2001:db8::/32\nPerSourceNetBlockSize 24:56\n", "" },
        { "RefuseConnection yes\n", "" },
        { "ChannelTimeout session=5m global=10 direct-*=1h\nUnusedConnectionTimeout 2m\n", "" },
        { "ChannelTimeout none\n", "" },
        { "RekeyLimit 1G 1h\n", "" },
        { "Match invalid-user\n  RefuseConnection yes\n", "-C user=nobody42,host=h,addr=192.0.2.1,invalid-user" },
        { "Match invalid-user\n  RefuseConnection yes\n", "-C user=root,host=h,addr=192.0.2.1" },
        { "Match Address 192.0.2.*\n  RefuseConnection yes\n  ChannelTimeout session=1m\n", "-C user=root,host=h,addr=192.0.2.1" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task Dump_prints_OpenSSH_10_keywords_as_sshd_10_5_does(string config, string connection)
    {
        var (ours, theirs) = await BothAsync(config, ["-T", .. connection.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(Lines(theirs.StdOut), Lines(ours.StdOut));
    }

    public static TheoryData<string> BadConfigs => new()
    {
        "PerSourcePenalties\n",
        "PerSourcePenalties bogus:1\n",
        "PerSourcePenalties authfail:x\n",
        "PerSourcePenalties no authfail:1\n",
        "PerSourcePenalties max-sources4:-1\n",
        "PerSourcePenalties overflow:sometimes\n",
        "PerSourcePenaltyExemptList\n",
        "PerSourcePenaltyExemptList 192.0.2.0/33\n",
        "RefuseConnection maybe\n",
        "ChannelTimeout session\n",
        "ChannelTimeout =5\n",
        "ChannelTimeout session=forever\n",
        "Match invalid-user\n  PerSourcePenalties no\n",
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task Bad_OpenSSH_10_keywords_are_refused_with_sshd_10_5s_message(string config)
    {
        var (ours, theirs) = await BothAsync(config, "-t");
        Assert.NotEqual(0, theirs.ExitCode);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(theirs.StdErr.Replace("\r\n", "\n"), ours.StdErr);
    }
}
