using System.Text;

namespace Lucid.Interop.Tests.Keygen;

/// <summary>
/// Damaged private key files, wrong passphrases and keys others can read. OpenSSH reports most
/// damage as "error in libcrypto"; lucid names the file and what is wrong, with the same exit code.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeygenPrivateKeyErrorTests : IDisposable
{
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    private async Task<string[]> FreshKey(string passphrase = "")
    {
        Assert.Equal(0, (await _box.OpenSsh("-q", "-t", "ed25519", "-N", passphrase, "-C", "c", "-f", "good")).ExitCode);
        return _box.Read("good").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Body(string[] lines) => string.Concat(lines[1..^1]);

    private static string Armor(string[] lines, byte[] blob)
    {
        var b64 = Convert.ToBase64String(blob);
        var sb = new StringBuilder(lines[0]).Append('\n');
        for (int i = 0; i < b64.Length; i += 70)
            sb.Append(b64.AsSpan(i, Math.Min(70, b64.Length - i))).Append('\n');
        return sb.Append(lines[^1]).Append('\n').ToString();
    }

    private async Task AssertLoadFails(string content, string problem, bool sameFingerprintErrorAsOpenSsh = true)
    {
        _box.Write("bad", content);
        var ours = await _box.Lucid("-y", "-f", "bad");
        Assert.Equal($"Load key \"bad\": {problem}\r\n", ours.StdErr);
        Assert.Equal("", ours.StdOut);
        var theirs = await _box.OpenSsh("-y", "-f", "bad");
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
        Assert.Equal(255, ours.ExitCode);
        var passphraseChange = await _box.Lucid("-p", "-N", "x", "-f", "bad");
        Assert.Equal((255, $"Failed to load key bad: {problem}\r\n"), (passphraseChange.ExitCode, passphraseChange.StdErr));
        if (sameFingerprintErrorAsOpenSsh)
            await _box.AssertSameAsOpenSsh("-l", "-f", "bad");
    }

    [Fact]
    public async Task Truncated_file() =>
        await AssertLoadFails((await FreshKeyText())[..200], "invalid format: no -----END OPENSSH PRIVATE KEY----- line (file truncated?)");

    private async Task<string> FreshKeyText()
    {
        await FreshKey();
        return _box.Read("good");
    }

    [Fact]
    public async Task Missing_lines_in_the_middle()
    {
        var lines = await FreshKey();
        await AssertLoadFails(string.Join('\n', lines[0], lines[1], lines[^1]) + "\n", "invalid format: bad base64 data");
    }

    [Fact]
    public async Task Bad_base64()
    {
        var lines = await FreshKey();
        lines[2] = "!!" + lines[2][2..];
        await AssertLoadFails(string.Join('\n', lines) + "\n", "invalid format: bad base64 data");
    }

    [Fact]
    public async Task Empty_file() => await AssertLoadFails("", "invalid format");

    [Fact]
    public async Task Wrong_padding_after_the_private_key()
    {
        var lines = await FreshKey();
        var blob = Convert.FromBase64String(Body(lines));
        blob[^1] ^= 0xff;
        await AssertLoadFails(Armor(lines, blob), "invalid format: wrong padding", sameFingerprintErrorAsOpenSsh: false);
    }

    [Fact]
    public async Task Wrong_length_field_overruns_the_data()
    {
        var lines = await FreshKey();
        var blob = Convert.FromBase64String(Body(lines));
        // "openssh-key-v1\0" then string ciphername: make its length claim more bytes than the file has.
        blob[15] = 0x7f;
        _box.Write("bad", Armor(lines, blob));
        var ours = await _box.Lucid("-y", "-f", "bad");
        Assert.Equal(255, ours.ExitCode);
        Assert.StartsWith("Load key \"bad\": invalid format: truncated (", ours.StdErr, StringComparison.Ordinal);
        await _box.AssertSameAsOpenSsh("-l", "-f", "bad");
    }

    [Fact]
    public async Task Pem_with_garbage_inside() =>
        await AssertLoadFails("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n", "invalid format: bad base64 data");

    [Fact]
    public async Task Wrong_passphrase_matches_ssh_keygen_for_y_and_p()
    {
        await FreshKey("right passphrase");
        var y = await _box.AssertSameAsOpenSsh("-y", "-P", "wrong", "-f", "good");
        Assert.Equal((255, "Load key \"good\": incorrect passphrase supplied to decrypt private key\r\n"), (y.ExitCode, y.StdErr));
        var prompted = await _box.AssertSameAsOpenSshWithInput("wrong\n", "-y", "-f", "good");
        Assert.Equal("Enter passphrase: Load key \"good\": incorrect passphrase supplied to decrypt private key\r\n", prompted.StdErr);
        var p = await _box.AssertSameAsOpenSsh("-p", "-P", "wrong", "-N", "new one", "-f", "good");
        Assert.Equal(255, p.ExitCode);
    }

    [Theory]
    [InlineData(0b110_100_100)]
    [InlineData(0b110_100_000)]
    [InlineData(0b110_000_100)]
    [InlineData(0b111_111_111)]
    public async Task Keys_others_can_access_are_refused_like_ssh_keygen(int mode)
    {
        await FreshKey();
        File.Delete(_box.PathOf("good.pub"));
        File.SetUnixFileMode(_box.PathOf("good"), (UnixFileMode)mode);
        string octal = Convert.ToString(mode, 8);
        var y = await _box.AssertSameAsOpenSsh("-y", "-f", "good");
        Assert.Equal(255, y.ExitCode);
        Assert.Equal(
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n" +
            "@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @\r\n" +
            "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n" +
            $"Permissions 0{octal} for 'good' are too open.\r\n" +
            "It is required that your private key files are NOT accessible by others.\r\n" +
            "This private key will be ignored.\r\n" +
            "Load key \"good\": bad permissions\r\n", y.StdErr);
        await _box.AssertSameAsOpenSsh("-p", "-N", "x", "-f", "good");
        // -l still fingerprints the clear public half, after the same warning, as ssh-keygen does.
        await _box.AssertSameAsOpenSsh("-l", "-f", "good");
    }
}
