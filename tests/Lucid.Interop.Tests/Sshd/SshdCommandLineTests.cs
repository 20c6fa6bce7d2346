namespace Lucid.Interop.Tests.Sshd;

/// <summary>Mistakes on sshd's command line: OpenSSH's sshd's first line and exit status, beside Debian's sshd.</summary>
public sealed class SshdCommandLineTests
{
    [Theory]
    [InlineData("foo")]          // sshd takes no operands
    [InlineData("-D", "foo")]
    [InlineData("--", "foo")]    // not even after "--"
    [InlineData("-p")]           // an option's argument missing
    public async Task A_mistake_is_refused_as_OpenSSHs_sshd_refuses_it(params string[] args)
    {
        var real = await ProcessRunner.RunAsync("/usr/sbin/sshd", args);
        var ours = await Lucid.RunAsync(["sshd", .. args]);
        Assert.Equal(1, real.ExitCode);
        Assert.Equal(real.ExitCode, ours.ExitCode);
        // glibc's getopt words its own messages ("sshd: option requires an argument -- 'p'"); sshd's are the same.
        static string First(string stderr) => stderr.Split('\n')[0].TrimEnd('\r').Replace("sshd: ", "").Replace("'", "");
        Assert.Equal(First(real.StdErr), First(ours.StdErr));
    }
}
