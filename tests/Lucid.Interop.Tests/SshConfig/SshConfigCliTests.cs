using Lucid.Ssh.Crypto;

namespace Lucid.Interop.Tests.SshConfig;

/// <summary>
/// `lucid ssh -G` against `ssh -G` with the same arguments: stdout byte for byte, stderr and exit status too.
/// The flags are translated to configuration options by the CLI, so these cases cover that translation; the
/// corpus files are compared in-process by <see cref="SshConfigCorpusTests"/>.
/// </summary>
public sealed class SshConfigCliTests(SshConfigCorpus corpus) : IClassFixture<SshConfigCorpus>
{
    public static TheoryData<string> Cases => new()
    {
        "-F {corpus}/01-basic.conf web",
        "-F {corpus}/31-proxyjump.conf -p 2022 alice@a",
        "-F {corpus}/11-forwards.conf -L 1234:localhost:22 -L [::1]:5555:/tmp/sock -R 9999 -D 7070 h echo hi",
        "-F {corpus}/42-cmdline-precedence.conf -o Port=1 -p 2 -l cli h",
        "-F {corpus}/26-include-relative.conf web1",
        "-F {corpus}/20-match-exec.conf h",
        "-F {corpus}/23-match-final.conf short",
        "-F {corpus}/err-03-several-bad.conf h",
        "-F {corpus}/err-09-cmdline-unknown.conf -o Bogus=1 h",
        "-F /dev/null -4 -C -A -l bob -o User=ignored ssh://carol@example.com:2200",
        "-F /dev/null -T -N -W h:1 -J j1,j2 host",
        "-F /dev/null -t -q -e ^] -c aes128-ctr -m hmac-sha2-256 -x -a -n h ls -l",
        "-F {corpus}/nonexistent.conf h",
        // No -F: ~/.ssh/config (absent here) and the machine's own /etc/ssh/ssh_config with its Include.
        "h",
        "-l u -p 2 -o SendEnv=EXTRA web.example.com",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Lucid_ssh_G_prints_what_ssh_G_prints(string line)
    {
        var args = line.Replace("{corpus}", corpus.Root, StringComparison.Ordinal).Split(' ');
        var environment = new Dictionary<string, string>(corpus.Environment);
        var openssh = await ProcessRunner.RunAsync("ssh", ["-G", .. args], environment: environment);
        var lucid = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", "-G", .. args], environment: environment);
        Assert.Equal(WithoutDefaultAlgorithms(openssh.StdOut), WithoutDefaultAlgorithms(WithPasswdHome(SshConfigCorpus.WithoutOpenSsh10Lines(lucid.StdOut))));
        Assert.Equal(openssh.StdErr, lucid.StdErr);
        Assert.Equal(openssh.ExitCode, lucid.ExitCode);
    }

    /// <summary>Lucid expands ~ in known-hosts paths with $HOME (so a test or sandbox can give ssh its own ~/.ssh),
    /// OpenSSH with the account's home from the password database; the corpus runs with HOME set elsewhere, so
    /// Lucid's expansion is mapped back before comparing. Nothing else in the output depends on it.</summary>
    private string WithPasswdHome(string output)
    {
        var passwdHome = global::Lucid.Ssh.OpenSsh.SshConfigLocalUser.Current.HomeDirectory;
        return string.Join('\n', output.Split('\n').Select(l => l.StartsWith("userknownhostsfile ", StringComparison.Ordinal)
            || l.StartsWith("debug3: expanded UserKnownHostsFile ", StringComparison.Ordinal)
            ? l.Replace(corpus.Home + "/", passwdHome.TrimEnd('/') + "/", StringComparison.Ordinal) : l));
    }

    public static TheoryData<string> VerboseCases => new()
    {
        "-vvv -F {corpus}/23-match-final.conf short",
        "-vvv -F {corpus}/27-include-glob.conf h",
        "-vvv -F {corpus}/28-include-in-host.conf nomatch",
        "-vvv -F {corpus}/03-negation.conf bastion.example.com",
        "-vvv -F {corpus}/14-known-hosts.conf h",
        "-vvv -F {corpus}/20-match-exec.conf h",
        "-vvv -F {corpus}/21-match-exec-skipped.conf h",
        "-vv -F {corpus}/12-sendenv.conf h",
        "-vvv -F {corpus}/13-setenv-first.conf h",
        "-v -F {corpus}/40-deprecated.conf h",
        "-vvv -F {corpus}/24-match-canonical.conf a.b.c",
        "-vvv -F {corpus}/52-canonical-localhost.conf 127.1",
        "-vvv -F {corpus}/err-05-bad-match.conf h",
        "-vvv -F {corpus}/10-identity-accumulate.conf h",
    };

    /// <summary>With -v, -vv, -vvv the configuration's debug lines match ssh's too (its version banner aside).</summary>
    [Theory]
    [MemberData(nameof(VerboseCases))]
    public async Task Verbose_configuration_messages_match_ssh(string line)
    {
        var args = line.Replace("{corpus}", corpus.Root, StringComparison.Ordinal).Split(' ');
        var environment = new Dictionary<string, string>(corpus.Environment);
        var openssh = await ProcessRunner.RunAsync("ssh", ["-G", .. args], environment: environment);
        var lucid = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", "-G", .. args], environment: environment);
        Assert.Equal(WithoutBanner(openssh.StdErr), WithoutBanner(WithPasswdHome(lucid.StdErr)));
        Assert.Equal(openssh.ExitCode, lucid.ExitCode);
    }

    private static string WithoutBanner(string stderr) => stderr[(stderr.IndexOf('\n') + 1)..];

    [Fact]
    public async Task Algorithm_lists_set_explicitly_print_exactly_as_ssh_does()
    {
        string[] args = ["-G", "-F", corpus.FileFor("34-algorithms-explicit.conf"), "h"];
        var openssh = await ProcessRunner.RunAsync("ssh", args);
        var lucid = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", .. args]);
        Assert.Equal(openssh.StdOut, SshConfigCorpus.WithoutOpenSsh10Lines(lucid.StdOut));
    }

    [Fact]
    public async Task Default_algorithm_lists_are_Lucids_own()
    {
        var lucid = await ProcessRunner.RunAsync(Lucid.Executable, ["ssh", "-G", "-F", "none", "h"]);
        var lines = lucid.StdOut.Split('\n');
        Assert.Contains("ciphers " + string.Join(',', AlgorithmRegistry.Defaults(AlgorithmCategory.Cipher)), lines);
        Assert.Contains("macs " + string.Join(',', AlgorithmRegistry.Defaults(AlgorithmCategory.Mac)), lines);
        Assert.Contains("kexalgorithms " + string.Join(',', AlgorithmRegistry.Defaults(AlgorithmCategory.Kex)), lines);
        Assert.Contains("hostkeyalgorithms " + string.Join(',', AlgorithmRegistry.Defaults(AlgorithmCategory.HostKey)), lines);
    }

    /// <summary>`ssh -G` prints OpenSSH's default algorithm lists and `lucid ssh -G` Lucid's (what it will really
    /// offer); lines for lists the configuration does not set are left out of the comparison. The edits themselves
    /// are compared against the same base in <see cref="SshConfigCorpusTests"/>.</summary>
    private static string WithoutDefaultAlgorithms(string output) => string.Join('\n', output.Split('\n').Where(l =>
        !(l.StartsWith("ciphers ", StringComparison.Ordinal) || l.StartsWith("macs ", StringComparison.Ordinal)
          || l.StartsWith("kexalgorithms ", StringComparison.Ordinal) || l.StartsWith("hostkeyalgorithms ", StringComparison.Ordinal)
          || l.StartsWith("pubkeyacceptedalgorithms ", StringComparison.Ordinal) || l.StartsWith("hostbasedacceptedalgorithms ", StringComparison.Ordinal)
          || l.StartsWith("casignaturealgorithms ", StringComparison.Ordinal))));
}
