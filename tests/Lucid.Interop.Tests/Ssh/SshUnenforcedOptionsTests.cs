using Lucid.Ssh.OpenSsh;

namespace Lucid.Interop.Tests.Ssh;

/// <summary>
/// `lucid ssh` never pretends: every ssh_config option it parses but does not carry out yet (UnenforcedKeywords.Client)
/// is named under -v, or — when the user relies on it to work or to stay safe — stops ssh before it connects.
/// One case per table row, with the exact line.
/// </summary>
public sealed class SshUnenforcedOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-ssh-unenforced-").FullName;

    /// <summary>A value per table row that asks for what Lucid does not do.</summary>
    private static readonly Dictionary<string, string> Values = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Tunnel"] = "yes",
        ["RevokedHostKeys"] = "/etc/ssh/revoked",
        ["KnownHostsCommand"] = "/usr/bin/known-hosts %H",
        ["RequiredRSASize"] = "3072",
        ["ProxyUseFdPass"] = "yes",
        ["BindInterface"] = "lo",
        ["ForwardX11"] = "yes",
        ["AddKeysToAgent"] = "yes",
        ["ControlMaster"] = "auto",
        ["ControlPath"] = "~/.ssh/cm-%C",
        ["ControlPersist"] = "10m",
        ["EnableEscapeCommandline"] = "yes",
        ["VisualHostKey"] = "yes",
        ["FingerprintHash"] = "md5",
        ["HostbasedAuthentication"] = "yes",
        ["GSSAPIAuthentication"] = "yes",
        ["PKCS11Provider"] = "/usr/lib/opensc-pkcs11.so",
        ["SecurityKeyProvider"] = "/usr/lib/libsk.so",
        ["TCPKeepAlive"] = "yes",
        ["UpdateHostKeys"] = "ask",
        ["ChannelTimeout"] = "session=5m",
        ["ObscureKeystrokeTiming"] = "yes",
    };

    public static TheoryData<string> Keywords() => new(UnenforcedKeywords.Client.Select(k => k.Keyword));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<ProcessResult> SshWithConfigAsync(string config)
    {
        var file = Path.Combine(_dir, "config");
        await File.WriteAllTextAsync(file, "Host *\n    UserKnownHostsFile /dev/null\n    BatchMode yes\n" + config);
        // Port 1 on 127.0.0.1: nothing listens, so a run that goes on to connect fails fast with exit 255. No remote
        // command: with one, ssh turns UpdateHostKeys ask into no, as OpenSSH does.
        return await Lucid.RunAsync("ssh", "-v", "-F", file, "-p", "1", "127.0.0.1");
    }

    [Fact]
    public void Every_row_has_a_test_value_and_nothing_else_does() =>
        Assert.Equal(Values.Keys.Order(StringComparer.OrdinalIgnoreCase), UnenforcedKeywords.Client.Select(k => k.Keyword).Order(StringComparer.OrdinalIgnoreCase));

    [Theory]
    [MemberData(nameof(Keywords))]
    public async Task Option_is_named_or_refused(string keyword)
    {
        var row = UnenforcedKeywords.Client.Single(k => k.Keyword == keyword);
        // TCPKeepAlive yes is the default itself: Lucid sets no TCP keepalive, so it is named even unset.
        var r = await SshWithConfigAsync($"    {keyword} {Values[keyword]}\n");
        Assert.Equal(255, r.ExitCode);
        var lines = r.StdErr.Replace("\r\n", "\n").Split('\n');
        if (row.Verdict == UnenforcedVerdict.Refuse)
        {
            Assert.Contains($"{keyword} is not supported yet by Lucid: {row.Why}; not connecting", lines);
            Assert.DoesNotContain(lines, l => l.StartsWith("debug1: Connecting to", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains($"debug1: {keyword} is not supported yet by Lucid: {row.Why}", lines);
            Assert.Contains(lines, l => l.StartsWith("debug1: Connecting to", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Defaults_name_only_what_is_on_by_default()
    {
        var r = await SshWithConfigAsync("");
        var named = r.StdErr.Replace("\r\n", "\n").Split('\n').Where(l => l.Contains("not supported yet", StringComparison.Ordinal)).ToList();
        string Line(string keyword) => $"debug1: {keyword} is not supported yet by Lucid: {UnenforcedKeywords.Client.Single(k => k.Keyword == keyword).Why}";
        Assert.Equal([Line("TCPKeepAlive"), Line("ObscureKeystrokeTiming")], named);
    }
}
