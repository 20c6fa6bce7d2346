using System.Text;

namespace Lucid.Interop.Tests.SshConfig;

/// <summary>
/// The ssh_config corpus (SshConfig/corpus/*.conf) laid out in a private directory: the files themselves and a
/// fixed HOME whose ~/.ssh holds what they Include. Each "#> [-o opt]... host" line in a file is one case.
/// </summary>
public sealed class SshConfigCorpus : IDisposable
{
    public SshConfigCorpus()
    {
        Root = Path.Combine(Path.GetTempPath(), "lucid-sshconfig-" + Guid.NewGuid().ToString("N")[..12]);
        Copy(Path.Combine(AppContext.BaseDirectory, "SshConfig", "corpus"), Root);
        Home = Path.Combine(Root, "home");
        Environment = new Dictionary<string, string>
        {
            ["HOME"] = Home,
            ["SHELL"] = "/bin/sh",
            ["LUCID_TEST_DIR"] = Path.Combine(Root, "envdir"),
            ["LUCID_TEST_PORT"] = "7777",
        };
    }

    public string Root { get; }
    public string Home { get; }
    public IReadOnlyDictionary<string, string> Environment { get; }

    public string? GetEnvironmentVariable(string name) =>
        Environment.TryGetValue(name, out var v) ? v : System.Environment.GetEnvironmentVariable(name);

    public static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "SshConfig", "corpus");

    /// <summary>Every (file, case line) pair in the corpus.</summary>
    public static TheoryData<string, string> Cases(string prefix, bool errors)
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(CorpusDirectory, "*.conf").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("err-", StringComparison.Ordinal) != errors || !name.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            foreach (var line in File.ReadLines(file))
                if (line.StartsWith("#> ", StringComparison.Ordinal))
                    data.Add(name, line[3..].TrimEnd('\r'));
        }
        return data;
    }

    /// <summary>Splits a case line like a shell would (double quotes group words).</summary>
    public static List<string> SplitArgs(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var any = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                any = true;
            }
            else if (c == ' ' && !inQuotes)
            {
                if (any)
                    args.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }
        if (any)
            args.Add(current.ToString());
        return args;
    }

    public string FileFor(string name) => Path.Combine(Root, name);

    /// <summary>OpenSSH's own answer: ssh -G -F file args..., with the corpus environment.</summary>
    public Task<ProcessResult> RunOpenSshAsync(string name, IEnumerable<string> args) =>
        ProcessRunner.RunAsync("ssh", ["-G", "-F", FileFor(name), .. args], environment: new Dictionary<string, string>(Environment));

    /// <summary>Keywords `ssh -G` prints since OpenSSH 10 and Debian's 9.2 does not know.</summary>
    private static readonly string[] OpenSsh10Keywords = ["warnweakcrypto", .. SshConfigOpenSsh10Tests.Keywords];

    /// <summary>`ssh -G` output without the lines of <see cref="OpenSsh10Keywords"/>, to compare Lucid's with OpenSSH 9.2's.</summary>
    public static string WithoutOpenSsh10Lines(string output) => string.Join('\n', output.Split('\n').Where(l =>
        !OpenSsh10Keywords.Any(k => l.StartsWith(k + " ", StringComparison.Ordinal))));

    /// <summary>ssh's stderr without the tty notice it prints whenever stdin is not a terminal.</summary>
    public static List<string> DiagnosticLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))
            .Where(l => l != "Pseudo-terminal will not be allocated because stdin is not a terminal.")
            .ToList();

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.GetDirectories(from))
            Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
        foreach (var file in Directory.GetFiles(from))
        {
            var target = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, target, overwrite: true);
            // Included files must not be group/world-writable or ssh refuses them.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
