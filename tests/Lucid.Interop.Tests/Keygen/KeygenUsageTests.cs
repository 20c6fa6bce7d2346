namespace Lucid.Interop.Tests.Keygen;

/// <summary>Option errors: the same messages and exit codes as OpenSSH's ssh-keygen.</summary>
public sealed class KeygenUsageTests : IDisposable
{
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Theory]
    [InlineData("-j", "unknown option -- j")]
    [InlineData("-f", "option requires an argument -- f")]
    [InlineData("-l -x", "unknown option -- x")]
    public async Task Bad_options_print_the_getopt_message_and_usage_with_exit_1(string args, string message)
    {
        var theirs = await _box.OpenSsh(args.Split(' '));
        var ours = await _box.Lucid(args.Split(' '));
        Assert.Equal(1, ours.ExitCode);
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.StartsWith(message + "\r\nusage: ssh-keygen [-q] [-a rounds] [-b bits] [-C comment] [-f output_keyfile]\n", ours.StdErr, StringComparison.Ordinal);
        Assert.StartsWith(message + "\r\n", theirs.StdErr, StringComparison.Ordinal);
        Assert.Contains("       ssh-keygen -l [-v] [-E fingerprint_hash] [-f input_keyfile]\n", ours.StdErr);
    }

    [Theory]
    [InlineData("-t", "foo", "-f", "x", "-N", "")]
    [InlineData("-t", "ecdsa", "-b", "300", "-f", "x", "-N", "")]
    [InlineData("-t", "rsa", "-b", "512", "-f", "x", "-N", "")]
    [InlineData("-t", "rsa", "-b", "20000", "-f", "x", "-N", "")]
    [InlineData("-b", "abc", "-f", "x")]
    [InlineData("-l", "-E", "sha3", "-f", "x")]
    [InlineData("-e", "-m", "foo", "-f", "x")]
    [InlineData("-l", "-f", "missing")]
    [InlineData("-y", "-f", "missing")]
    [InlineData("-p", "-f", "missing")]
    [InlineData("-e", "-f", "missing")]
    [InlineData("-i", "-f", "missing")]
    [InlineData("-Z", "foo", "-f", "x")]
    [InlineData("-a", "0", "-f", "x")]
    [InlineData("-a", "x", "-f", "x")]
    [InlineData("-a", "99999999999", "-f", "x")]
    public async Task Fatal_errors_match_ssh_keygen_message_and_exit_code(params string[] args)
    {
        var ours = await _box.AssertSameAsOpenSsh(args);
        Assert.NotEqual(0, ours.ExitCode);
    }

    [Fact]
    public async Task Operands_are_too_many_arguments_with_usage_and_exit_1()
    {
        var theirs = await _box.OpenSsh("-l", "-f", "k", "extra");
        var ours = await _box.Lucid("-l", "-f", "k", "extra");
        Assert.Equal((1, 1), (theirs.ExitCode, ours.ExitCode));
        Assert.StartsWith("Too many arguments.\r\nusage: ssh-keygen ", theirs.StdErr, StringComparison.Ordinal);
        Assert.StartsWith("Too many arguments.\r\nusage: ssh-keygen ", ours.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_ssh_keygen_has_but_lucid_lacks_are_refused_clearly()
    {
        var ours = await _box.Lucid("-c", "-f", "k");
        Assert.Equal(1, ours.ExitCode);
        Assert.Equal("ssh-keygen: option -c is not supported by lucid ssh-keygen yet\r\n", ours.StdErr);
    }
}
