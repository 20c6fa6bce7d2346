namespace Lucid.Interop.Tests.Keygen;

/// <summary>
/// Fingerprints, randomart and -e/-i conversions of public keys, compared character for character
/// with OpenSSH's ssh-keygen run on the same files.
/// </summary>
public sealed class KeygenPublicKeyTests : IDisposable
{
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    private async Task<string> OpenSshKey(string type, string bits, string name = "k")
    {
        var gen = await _box.OpenSsh("-q", "-t", type, "-b", bits, "-N", "", "-C", $"{type}{bits} test key", "-f", name);
        Assert.Equal(0, gen.ExitCode);
        return name;
    }

    [Theory]
    [MemberData(nameof(KeygenKeys.Types), MemberType = typeof(KeygenKeys))]
    public async Task Fingerprint_and_randomart_match_ssh_keygen_for_both_hashes(string type, string bits)
    {
        await OpenSshKey(type, bits);
        foreach (var file in new[] { "k.pub", "k" })
        {
            await _box.AssertSameAsOpenSsh("-l", "-f", file);
            await _box.AssertSameAsOpenSsh("-lv", "-f", file);
            await _box.AssertSameAsOpenSsh("-l", "-v", "-E", "md5", "-f", file);
            var art = await _box.AssertSameAsOpenSsh("-lv", "-E", "sha256", "-f", file);
            Assert.Contains("----[SHA256]-----+", art.StdOut);
        }
    }

    [Fact]
    public async Task Every_key_line_of_an_authorized_keys_file_is_fingerprinted()
    {
        await OpenSshKey("ed25519", "256", "a");
        await OpenSshKey("ecdsa", "384", "b");
        await OpenSshKey("rsa", "1024", "c");
        string a = _box.Read("a.pub").Trim(), b = _box.Read("b.pub").Trim(), c = _box.Read("c.pub").Trim();
        string bKey = string.Join(' ', b.Split(' ')[..2]);
        _box.Write("authorized_keys",
            $"# a comment line\n\n{a}\nno-pty,command=\"echo a b\" {b}\nfrom=\"10.0.0.1\" {bKey}\n  {c}\nnot a key at all\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var result = await _box.AssertSameAsOpenSsh("-l", "-f", "authorized_keys");
        Assert.Equal(4, result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        await _box.AssertSameAsOpenSsh("-lv", "-E", "md5", "-f", "authorized_keys");
    }

    [Fact]
    public async Task Output_into_a_file_shared_with_other_writers_continues_where_they_left_off()
    {
        // The shell's redirection gives every command the same descriptor: each must write at the shared
        // offset, so nothing written before or after is overwritten.
        await OpenSshKey("ed25519", "256", "s");
        async Task<string> Group(string keygen)
        {
            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"(echo before; {keygen} -l -f s.pub; echo after) > out"],
                workingDirectory: _box.Dir);
            Assert.Equal(0, result.ExitCode);
            return _box.Read("out");
        }
        var theirs = await Group(KeygenSandbox.OpenSshKeygen);
        Assert.StartsWith("before\n256 SHA256:", theirs);
        var lucid = global::Lucid.Interop.Tests.Lucid.Executable;
        Assert.Equal(theirs, await Group($"'{lucid}' ssh-keygen"));
    }

    [Fact]
    public async Task Known_hosts_lines_show_the_host_as_the_comment()
    {
        await OpenSshKey("ed25519", "256", "h");
        string key = string.Join(' ', _box.Read("h.pub").Split(' ')[..2]);
        _box.Write("known_hosts", $"example.org,192.0.2.1 {key}\n[example.net]:2222 {key} trailing comment\n");
        await _box.AssertSameAsOpenSsh("-l", "-f", "known_hosts");
    }

    [Theory]
    [MemberData(nameof(KeygenKeys.Types), MemberType = typeof(KeygenKeys))]
    public async Task Rfc4716_export_and_import_match_ssh_keygen(string type, string bits)
    {
        await OpenSshKey(type, bits);
        var exported = await _box.AssertSameAsOpenSsh("-e", "-f", "k.pub");
        await _box.AssertSameAsOpenSsh("-e", "-m", "RFC4716", "-f", "k");
        _box.Write("k.rfc", exported.StdOut);
        var imported = await _box.AssertSameAsOpenSsh("-i", "-f", "k.rfc");
        Assert.Equal(string.Join(' ', _box.Read("k.pub").Split(' ')[..2]) + "\n", imported.StdOut);
        await _box.AssertSameAsOpenSsh("-i", "-m", "ssh2", "-f", "k.rfc");
    }

    [Theory]
    [MemberData(nameof(KeygenKeys.PemTypes), MemberType = typeof(KeygenKeys))]
    public async Task Pkcs8_and_pem_export_and_import_match_ssh_keygen(string type, string bits)
    {
        await OpenSshKey(type, bits);
        string expectedLine = string.Join(' ', _box.Read("k.pub").Split(' ')[..2]) + "\n";
        foreach (var format in new[] { "PKCS8", "PEM" })
        {
            var exported = await _box.AssertSameAsOpenSsh("-e", "-m", format, "-f", "k.pub");
            _box.Write($"k.{format}", exported.StdOut);
            // What OpenSSH can import (PKCS8 always; PEM only as PKCS#1 RSA), compare; lucid reads all.
            if (format == "PKCS8" || type == "rsa")
                await _box.AssertSameAsOpenSsh("-i", "-m", format, "-f", $"k.{format}");
            var ours = await _box.Lucid("-i", "-m", format, "-f", $"k.{format}");
            Assert.Equal(expectedLine, ours.StdOut);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("PKCS8")]
    [InlineData("PEM")]
    public async Task Export_from_an_encrypted_private_key_alone_needs_no_passphrase_or_asks_for_it(string format)
    {
        // openssh-key-v1 keeps the public key in the clear; PEM files must be decrypted first.
        Assert.Equal(0, (await _box.OpenSsh("-q", "-t", "ecdsa", "-N", "secret", "-f", "k")).ExitCode);
        File.Delete(_box.PathOf("k.pub"));
        string[] m = format.Length > 0 ? ["-m", format] : [];
        await _box.AssertSameAsOpenSshWithInput("", ["-e", .. m, "-f", "k"]);
        if (format.Length > 0)
        {
            Assert.Equal(0, (await _box.OpenSsh("-q", "-t", "rsa", "-b", "1024", "-m", format, "-N", "secret", "-f", "p")).ExitCode);
            File.Delete(_box.PathOf("p.pub"));
            var prompted = await _box.AssertSameAsOpenSshWithInput("secret\n", ["-e", .. m, "-f", "p"]);
            Assert.Equal("Enter passphrase: ", prompted.StdErr);
        }
    }

    [Fact]
    public async Task Ed25519_has_no_pem_form_as_in_ssh_keygen() =>
        await (await OpenSshKeyThen("ed25519", "256")).AssertSameAsOpenSsh("-e", "-m", "PEM", "-f", "k.pub");

    private async Task<KeygenSandbox> OpenSshKeyThen(string type, string bits)
    {
        await OpenSshKey(type, bits);
        return _box;
    }

    [Fact]
    public async Task Ed25519_exports_to_pkcs8_which_ssh_keygen_9_2_cannot_but_we_read_it_back()
    {
        await OpenSshKey("ed25519", "256");
        var exported = await _box.Lucid("-e", "-m", "PKCS8", "-f", "k.pub");
        Assert.Equal(0, exported.ExitCode);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA", exported.StdOut, StringComparison.Ordinal);
        _box.Write("k.p8", exported.StdOut);
        var imported = await _box.Lucid("-i", "-m", "PKCS8", "-f", "k.p8");
        Assert.Equal(string.Join(' ', _box.Read("k.pub").Split(' ')[..2]) + "\n", imported.StdOut);
    }
}
