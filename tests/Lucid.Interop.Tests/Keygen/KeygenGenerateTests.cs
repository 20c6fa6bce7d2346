namespace Lucid.Interop.Tests.Keygen;

/// <summary>Key generation's questions: file name, overwrite, passphrase twice; answered on stdin.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeygenGenerateTests : IDisposable
{
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Declining_to_overwrite_matches_ssh_keygen_and_keeps_the_file()
    {
        _box.Write("k", "precious\n");
        var result = await _box.AssertSameAsOpenSshWithInput("n\n", "-t", "ed25519", "-f", "k", "-N", "");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("Generating public/private ed25519 key pair.\nk already exists.\nOverwrite (y/n)? ", result.StdOut);
        Assert.Equal("precious\n", _box.Read("k"));
        // End of input is a "no" too.
        Assert.Equal(1, (await _box.AssertSameAsOpenSshWithInput("", "-q", "-t", "ed25519", "-f", "k", "-N", "")).ExitCode);
    }

    [Fact]
    public async Task Agreeing_to_overwrite_replaces_the_key()
    {
        _box.Write("k", "old\n");
        var result = await _box.AssertSameAsOpenSshWithInput("y\n", "-q", "-t", "ed25519", "-f", "k", "-N", "");
        Assert.Equal((0, "k already exists.\nOverwrite (y/n)? "), (result.ExitCode, result.StdOut));
        Assert.Equal(0, (await _box.OpenSsh("-y", "-f", "k")).ExitCode);
    }

    [Fact]
    public async Task Asks_for_the_file_and_the_passphrase_twice()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var result = await _box.LucidWithInput("k\ntwice said\ntwice said\n", "-t", "ecdsa", "-C", "asked");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"Generating public/private ecdsa key pair.\nEnter file in which to save the key ({home}/.ssh/id_ecdsa): Your identification has been saved in k\n",
            result.StdOut, StringComparison.Ordinal);
        Assert.Equal("Enter passphrase (empty for no passphrase): Enter same passphrase again: ", result.StdErr);
        var check = await _box.OpenSsh("-y", "-P", "twice said", "-f", "k");
        Assert.Equal(_box.Read("k.pub"), check.StdOut);
    }

    [Fact]
    public async Task Mismatched_passphrases_are_asked_again()
    {
        var result = await _box.LucidWithInput("one\ntwo\nthird time\nthird time\n", "-q", "-t", "ed25519", "-f", "k");
        Assert.Equal((0, "Passphrases do not match.  Try again.\n"), (result.ExitCode, result.StdOut));
        Assert.Equal(0, (await _box.OpenSsh("-y", "-P", "third time", "-f", "k")).ExitCode);
    }

    [Fact]
    public async Task Input_ending_after_a_mismatch_saves_nothing()
    {
        var result = await _box.LucidWithInput("one\ntwo\n", "-q", "-t", "ed25519", "-f", "k");
        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(_box.PathOf("k")));
    }

    [Fact]
    public async Task Short_passphrases_are_refused_for_pem_like_ssh_keygen()
    {
        var result = await _box.AssertSameAsOpenSsh("-q", "-t", "ecdsa", "-m", "PEM", "-N", "abc", "-f", "k");
        Assert.Equal((1, "Saving key \"k\" failed: passphrase is too short (minimum five characters)\r\n"), (result.ExitCode, result.StdErr));
    }

    [Fact]
    public async Task Default_comment_is_user_at_host_as_ssh_keygen_writes_it()
    {
        Assert.Equal(0, (await _box.OpenSsh("-q", "-t", "ed25519", "-N", "", "-f", "theirs")).ExitCode);
        Assert.Equal(0, (await _box.Lucid("-q", "-t", "ed25519", "-N", "", "-f", "ours")).ExitCode);
        Assert.Equal(_box.Read("theirs.pub").Split(' ')[2], _box.Read("ours.pub").Split(' ')[2]);
    }

    [Fact]
    public async Task Passphrase_from_P_is_used_when_generating_as_in_ssh_keygen()
    {
        Assert.Equal(0, (await _box.Lucid("-q", "-t", "ed25519", "-P", "from dash P", "-f", "k")).ExitCode);
        Assert.Equal(0, (await _box.OpenSsh("-y", "-P", "from dash P", "-f", "k")).ExitCode);
    }

    [Fact]
    public async Task Md5_fingerprint_when_generating_with_E()
    {
        var result = await _box.Lucid("-t", "ed25519", "-N", "", "-E", "md5", "-C", "m", "-f", "k");
        var theirs = await _box.OpenSsh("-l", "-E", "md5", "-f", "k.pub");
        string fingerprint = theirs.StdOut.Split(' ')[1];
        Assert.Contains($"The key fingerprint is:\n{fingerprint} m\n", result.StdOut);
        Assert.EndsWith("+------[MD5]------+\n", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_newcomer_command_works()
    {
        var result = await _box.Lucid("-t", "ed25519", "-f", _box.PathOf("k"), "-N", "");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(_box.Read("k.pub"), (await _box.OpenSsh("-y", "-f", _box.PathOf("k"))).StdOut);
    }

    [Theory]
    [InlineData("aes256-ctr")]
    [InlineData("aes256-gcm@openssh.com")]
    [InlineData("aes128-ctr")]
    public async Task Rounds_and_cipher_are_honoured_and_openssh_reads_the_result(string cipher)
    {
        Assert.Equal(0, (await _box.Lucid("-q", "-t", "ed25519", "-N", "z pass", "-a", "4", "-Z", cipher, "-f", "k")).ExitCode);
        Assert.Equal(_box.Read("k.pub"), (await _box.OpenSsh("-y", "-P", "z pass", "-f", "k")).StdOut);
        // And -p keeps working on it, with new rounds.
        Assert.Equal(0, (await _box.Lucid("-p", "-P", "z pass", "-N", "other", "-a", "2", "-f", "k")).ExitCode);
        Assert.Equal(_box.Read("k.pub"), (await _box.OpenSsh("-y", "-P", "other", "-f", "k")).StdOut);
    }

    [Fact]
    public async Task An_empty_comment_gives_the_same_pub_file_bytes_as_ssh_keygen()
    {
        Assert.Equal(0, (await _box.OpenSsh("-q", "-t", "ed25519", "-N", "", "-C", "", "-f", "theirs")).ExitCode);
        Assert.Equal(0, (await _box.Lucid("-q", "-t", "ed25519", "-N", "", "-C", "", "-f", "ours")).ExitCode);
        Assert.EndsWith(" \n", _box.Read("theirs.pub"), StringComparison.Ordinal);
        Assert.Equal((await _box.OpenSsh("-y", "-f", "ours")).StdOut.TrimEnd('\n') + " \n", _box.Read("ours.pub"));
        await _box.AssertSameAsOpenSsh("-l", "-f", "ours");
    }
}
