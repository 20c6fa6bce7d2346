namespace Lucid.Interop.Tests.HostTrust;

/// <summary>`lucid ssh-keygen -F/-R/-H` through the real command line, against OpenSSH's ssh-keygen.</summary>
public sealed class KeygenKnownHostsCliTests : IDisposable
{
    private const string Ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMNKJIFoifDNVscr5ySLif98eRpMTvH2lkNuaHMqArhQ";
    private static readonly string Content = $"# c\nexample.org,10.0.0.1 {Ed}\n[example.org]:2222 {Ed}\n*.corp {Ed}\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-kgcli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Copy(string name)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, Content);
        return path;
    }

    [Fact]
    public async Task Find_and_remove_match_ssh_keygen()
    {
        var theirPath = Copy("theirs");
        var ourPath = Copy("ours");
        var theirs = await ProcessRunner.RunAsync("ssh-keygen", ["-F", "[example.org]:2222", "-f", theirPath]);
        var ours = await Lucid.RunAsync("ssh-keygen", "-F", "[example.org]:2222", "-f", ourPath);
        Assert.Equal(theirs.ToString(), ours.ToString());

        theirs = await ProcessRunner.RunAsync("ssh-keygen", ["-R", "example.org", "-f", theirPath]);
        ours = await Lucid.RunAsync("ssh-keygen", "-R", "example.org", "-f", ourPath);
        Assert.Equal(theirs.ToString().Replace(theirPath, "F"), ours.ToString().Replace(ourPath, "F"));
        Assert.Equal(File.ReadAllText(theirPath), File.ReadAllText(ourPath));
        Assert.Equal(Content, File.ReadAllText(ourPath + ".old"));
    }

    [Fact]
    public async Task Hash_matches_ssh_keygen_messages_and_OpenSSH_finds_the_names()
    {
        var theirPath = Copy("theirs");
        var ourPath = Copy("ours");
        var theirs = await ProcessRunner.RunAsync("ssh-keygen", ["-H", "-f", theirPath]);
        var ours = await Lucid.RunAsync("ssh-keygen", "-H", "-f", ourPath);
        Assert.Equal(theirs.ToString().Replace(theirPath, "F"), ours.ToString().Replace(ourPath, "F"));
        var found = await ProcessRunner.RunAsync("ssh-keygen", ["-F", "10.0.0.1", "-f", ourPath]);
        Assert.Equal(0, found.ExitCode);
        Assert.StartsWith("# Host 10.0.0.1 found: line 3 \n|1|", found.StdOut);
    }
}
