using Lucid.Cli.Keygen;
using Lucid.Ssh.OpenSsh;

namespace Lucid.Interop.Tests.HostTrust;

/// <summary>ssh-keygen -F, -R and -H: Lucid's results against OpenSSH's ssh-keygen on the same files.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeygenKnownHostsTests : IDisposable
{
    private const string Ed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMNKJIFoifDNVscr5ySLif98eRpMTvH2lkNuaHMqArhQ";
    private const string Ec = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBH0jATQ57A3B38o8t6qbz6flmLpu7sa0DfLthad3yeiEpS6iRlzyESZFfFU3yVEECFKdOQ0MqrkKHUucaXpLKBU=";
    private static readonly string HashedName = KnownHostsMatcher.Hash("hashed.example", [.. Enumerable.Range(7, 20).Select(i => (byte)i)]);

    /// <summary>Every form known_hosts has, in one file.</summary>
    private static readonly string Corpus = string.Join("\n",
        "# known hosts of the team",
        $"example.org,10.0.0.1 {Ed} laptop key",
        $"[example.org]:2222 {Ec}",
        "",
        $"Other.Example\t{Ec}",
        $"*.corp,!bad.corp {Ed}",
        $"@revoked example.org {Ec}",
        $"@cert-authority example.org,*.example.org {Ed}",
        $"{HashedName} {Ed}",
        $"example.org {Ec}",
        "   # indented comment",
        "badkey.example ssh-ed25519 AAAA!!notbase64") + "\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("lucid-kgkh-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Copy(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static ProcessResult Ours(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new KeygenConsole(new StringReader(""), output, error, inputIsTerminal: false);
        string? find = null, remove = null, file = null;
        var hash = false;
        var quiet = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-F": find = args[++i]; break;
                case "-R": remove = args[++i]; break;
                case "-f": file = args[++i]; break;
                case "-H": hash = true; break;
                case "-q": quiet = true; break;
            }
        }
        int code;
        try
        {
            code = KnownHostsCommands.Run(find, remove, hash, file, quiet, console);
        }
        catch (KeygenFatalException e)
        {
            console.Log(e.Message);
            code = e.ExitCode;
        }
        console.Out.Flush();
        return new ProcessResult(code, output.ToString(), error.ToString());
    }

    private static Task<ProcessResult> Theirs(params string[] args) => ProcessRunner.RunAsync("ssh-keygen", args);

    [Theory]
    [InlineData("example.org")]
    [InlineData("EXAMPLE.ORG")]
    [InlineData("10.0.0.1")]
    [InlineData("[example.org]:2222")]
    [InlineData("other.example")]
    [InlineData("db.corp")]
    [InlineData("bad.corp")]
    [InlineData("www.example.org")]
    [InlineData("hashed.example")]
    [InlineData("badkey.example")]
    [InlineData("nowhere")]
    public async Task Find_prints_what_ssh_keygen_prints(string host)
    {
        var path = Copy("known_hosts", Corpus);
        foreach (var quiet in new[] { false, true })
        {
            string[] args = quiet ? ["-q", "-F", host, "-f", path] : ["-F", host, "-f", path];
            var theirs = await Theirs(args);
            var ours = Ours(args);
            Assert.Equal(theirs.ToString(), ours.ToString());
        }
    }

    [Fact]
    public async Task Find_with_H_hashes_each_plain_name_like_ssh_keygen()
    {
        var path = Copy("known_hosts", Corpus);
        var theirs = await Theirs("-F", "example.org", "-H", "-f", path);
        var ours = Ours("-F", "example.org", "-H", "-f", path);
        Assert.Equal(0, ours.ExitCode);
        var theirLines = theirs.StdOut.Split('\n');
        var ourLines = ours.StdOut.Split('\n');
        Assert.Equal(theirLines.Length, ourLines.Length);
        string[] names = ["example.org", "10.0.0.1", "example.org"];
        var hashed = 0;
        for (var i = 0; i < ourLines.Length; i++)
        {
            if (!theirLines[i].StartsWith("|1|", StringComparison.Ordinal))
            {
                Assert.Equal(theirLines[i], ourLines[i]);
                continue;
            }
            var ourFields = ourLines[i].Split(' ', 2);
            Assert.Equal(theirLines[i].Split(' ', 2)[1], ourFields[1]);
            Assert.True(KnownHostsMatcher.HashedMatches(ourFields[0], names[hashed++]), ourLines[i]);
        }
        Assert.Equal(3, hashed);
    }

    /// <summary>A wildcard or negated line found with -F -H stays a pattern: hashed, it would match nothing.</summary>
    [Fact]
    public async Task Find_with_H_prints_pattern_lines_unhashed_like_ssh_keygen()
    {
        const string host = "db.corp";
        var path = Copy("known_hosts", Corpus);
        var theirs = await Theirs("-F", host, "-H", "-f", path);
        var ours = Ours("-F", host, "-H", "-f", path);
        Assert.Contains($"*.corp,!bad.corp {Ed}", theirs.StdOut);
        Assert.Equal(theirs.ToString(), ours.ToString());
    }

    [Theory]
    [InlineData("example.org")]
    [InlineData("[example.org]:2222")]
    [InlineData("OTHER.example")]
    [InlineData("db.corp")]
    [InlineData("hashed.example")]
    [InlineData("badkey.example")]
    public async Task Remove_leaves_the_same_file_and_backup_as_ssh_keygen(string host)
    {
        var theirPath = Copy("theirs", Corpus);
        var ourPath = Copy("ours", Corpus);
        File.SetUnixFileMode(theirPath, (UnixFileMode)0b110_100_000);
        File.SetUnixFileMode(ourPath, (UnixFileMode)0b110_100_000);
        var theirs = await Theirs("-R", host, "-f", theirPath);
        var ours = Ours("-R", host, "-f", ourPath);
        Assert.Equal(theirs.ToString().Replace(theirPath, "FILE"), ours.ToString().Replace(ourPath, "FILE"));
        Assert.Equal(File.ReadAllText(theirPath), File.ReadAllText(ourPath));
        Assert.Equal(Corpus, File.ReadAllText(ourPath + ".old"));
        Assert.Equal(File.GetUnixFileMode(theirPath), File.GetUnixFileMode(ourPath));
    }

    /// <summary>A line without a key makes the file invalid: -R refuses to rewrite it (OpenSSH's regress keygen-knownhosts).</summary>
    [Fact]
    public async Task Remove_in_a_file_with_an_invalid_line_changes_nothing_like_ssh_keygen()
    {
        var content = Corpus + "host-i \n";
        var theirPath = Copy("theirs", content);
        var ourPath = Copy("ours", content);
        var theirs = await Theirs("-R", "example.org", "-f", theirPath);
        var ours = Ours("-R", "example.org", "-f", ourPath);
        Assert.Equal(theirs.ToString().Replace(theirPath, "FILE"), ours.ToString().Replace(ourPath, "FILE"));
        Assert.Equal(1, ours.ExitCode);
        Assert.Equal(content, File.ReadAllText(ourPath));
        Assert.False(File.Exists(ourPath + ".old"));
    }

    [Fact]
    public async Task Remove_of_an_unknown_host_changes_nothing_like_ssh_keygen()
    {
        var theirPath = Copy("theirs", Corpus);
        var ourPath = Copy("ours", Corpus);
        var theirs = await Theirs("-R", "nowhere", "-f", theirPath);
        var ours = Ours("-R", "nowhere", "-f", ourPath);
        Assert.Equal(theirs.ToString().Replace(theirPath, "FILE"), ours.ToString().Replace(ourPath, "FILE"));
        Assert.Equal((0, $"Host nowhere not found in {ourPath}\r\n"), (ours.ExitCode, ours.StdErr));
        Assert.Equal(Corpus, File.ReadAllText(ourPath));
        Assert.False(File.Exists(ourPath + ".old"));
    }

    [Fact]
    public async Task Hash_file_like_ssh_keygen_and_OpenSSH_finds_every_name()
    {
        var theirPath = Copy("theirs", Corpus);
        var ourPath = Copy("ours", Corpus);
        var theirs = await Theirs("-H", "-f", theirPath);
        var ours = Ours("-H", "-f", ourPath);
        Assert.Equal(theirs.ToString().Replace(theirPath, "FILE"), ours.ToString().Replace(ourPath, "FILE"));
        Assert.Equal(Corpus, File.ReadAllText(ourPath + ".old"));

        var theirLines = File.ReadAllLines(theirPath);
        var ourLines = File.ReadAllLines(ourPath);
        Assert.Equal(theirLines.Length, ourLines.Length);
        for (var i = 0; i < ourLines.Length; i++)
        {
            var theirHashed = theirLines[i].StartsWith("|1|", StringComparison.Ordinal) && !Corpus.Contains(theirLines[i], StringComparison.Ordinal);
            if (theirHashed)
                Assert.Equal(theirLines[i].Split(' ', 2)[1], ourLines[i].Split(' ', 2)[1]);
            else
                Assert.Equal(theirLines[i], ourLines[i]);
        }
        // OpenSSH finds each name in our hashed file on the same line as in its own.
        foreach (var name in new[] { "example.org", "10.0.0.1", "[example.org]:2222", "other.example", "badkey.example" })
        {
            var inTheirs = await Theirs("-F", name, "-f", theirPath);
            var inOurs = await Theirs("-F", name, "-f", ourPath);
            Assert.Equal(0, inOurs.ExitCode);
            Assert.Equal(Headers(inTheirs.StdOut), Headers(inOurs.StdOut));
        }

        // Hashing again hashes nothing new: no unhashed-entries warning, same lines.
        var again = Ours("-H", "-f", ourPath);
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("WARNING", again.StdErr);
        Assert.Equal(ourLines, File.ReadAllLines(ourPath));
    }

    private static string[] Headers(string output) => [.. output.Split('\n').Where(l => l.StartsWith('#'))];

    [Fact]
    public async Task Hash_refuses_a_file_with_invalid_lines_like_ssh_keygen()
    {
        var content = "onlyhost\nx ssh-ed25519\n" + $"good {Ed}\n";
        var theirPath = Copy("theirs", content);
        var ourPath = Copy("ours", content);
        var theirs = await Theirs("-H", "-f", theirPath);
        var ours = Ours("-H", "-f", ourPath);
        Assert.Equal(theirs.ToString().Replace(theirPath, "FILE"), ours.ToString().Replace(ourPath, "FILE"));
        Assert.Equal(1, ours.ExitCode);
        Assert.Equal(content, File.ReadAllText(ourPath));
    }

    [Fact]
    public async Task Missing_file_is_fatal_like_ssh_keygen()
    {
        var path = Path.Combine(_dir, "missing");
        foreach (var args in new[] { new[] { "-F", "h", "-f", path }, ["-R", "h", "-f", path], ["-H", "-f", path] })
        {
            var theirs = await Theirs(args);
            Assert.Equal(theirs.ToString(), Ours(args).ToString());
        }
    }
}
