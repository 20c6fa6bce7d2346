namespace Lucid.Interop.Tests.Sshd;

/// <summary>
/// RevokedKeys with OpenSSH's own files: KRLs written by Debian's `ssh-keygen -k` (explicit keys, SHA1 and SHA256
/// hashes, certificate serials and key IDs) and plain key lists. A revoked key is refused with sshd's log line
/// ("Authentication key ED25519 SHA256:... revoked by file ..."); a missing or unreadable file refuses every
/// key ("Error checking authentication key ..."), as OpenSSH fails closed; `sshd -t` does not read the file.
/// </summary>
public sealed class SshdRevokedKeysTests
{
    private static async Task KeygenAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync("ssh-keygen", args);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    private static async Task<string> FingerprintAsync(string pub)
    {
        var r = await ProcessRunner.RunAsync("ssh-keygen", ["-l", "-f", pub]);
        return r.StdOut.Split(' ')[1];
    }

    [Theory]
    [InlineData("key")]   // KRL_SECTION_EXPLICIT_KEY
    [InlineData("sha1")]  // KRL_SECTION_FINGERPRINT_SHA1
    [InlineData("sha256")] // KRL_SECTION_FINGERPRINT_SHA256
    [InlineData("list")]  // a plain list of public keys, no KRL
    public async Task Revoked_key_is_refused_and_the_others_still_log_in(string how)
    {
        // sshd reads the file at each check, so it can be written once the server (and its keys) exist.
        var dir = Directory.CreateTempSubdirectory("lucid-revoked-").FullName;
        var file = Path.Combine(dir, "revoked");
        await using var server = await LucidSshd.StartAsync($"RevokedKeys {file}");
        var revoked = server.ClientKeyPath("ed25519") + ".pub";
        var fingerprint = await FingerprintAsync(revoked);
        var spec = Path.Combine(dir, "spec");
        switch (how)
        {
            case "list":
                await File.WriteAllTextAsync(file, "# revoked keys\n\n" + await File.ReadAllTextAsync(server.ClientKeyPath("rsa") + ".pub")
                    + await File.ReadAllTextAsync(revoked));
                break;
            case "key":
                await KeygenAsync("-k", "-f", file, revoked);
                break;
            case "sha1":
                // ssh-keygen's spec: "sha1:" takes the public key itself and stores its SHA1 hash.
                await File.WriteAllTextAsync(spec, $"sha1: {await File.ReadAllTextAsync(revoked)}");
                await KeygenAsync("-k", "-f", file, spec);
                break;
            default:
                await File.WriteAllTextAsync(spec, $"hash: {fingerprint}\n");
                await KeygenAsync("-k", "-f", file, spec);
                break;
        }

        var refused = await server.SshAsync("echo in", keyType: "ed25519");
        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("Permission denied (publickey", refused.StdErr);
        await server.WaitForLogAsync($"Authentication key ED25519 {fingerprint} revoked by file {file}");

        Assert.Equal("in\n", (await server.SshAsync("echo in", keyType: "ecdsa256")).StdOut);
        if (how != "list")
            Assert.Equal("in\n", (await server.SshAsync("echo in", keyType: "rsa")).StdOut);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task Krl_of_certificate_serials_and_ids_still_admits_plain_keys()
    {
        // A KRL with every certificate section ssh-keygen writes: serial list, range (and the bitmap it
        // turns dense serials into), key IDs, for two CAs. Lucid must read it all.
        await using var probe = await LucidSshd.StartAsync();
        var dir = probe.Directory;
        await KeygenAsync("-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(dir, "ca"));
        var spec = Path.Combine(dir, "spec");
        await File.WriteAllTextAsync(spec, "serial: 5\nserial: 10-20\nserial: 30\nserial: 32\nserial: 33\nid: someone@example\n");
        var krl = Path.Combine(dir, "certs.krl");
        await KeygenAsync("-k", "-f", krl, "-s", Path.Combine(dir, "ca.pub"), spec);
        await KeygenAsync("-q", "-t", "ecdsa", "-N", "", "-f", Path.Combine(dir, "ca2"));
        await File.WriteAllTextAsync(spec, "id: anyone-anywhere\nserial: 1-1000\n");
        await KeygenAsync("-k", "-u", "-f", krl, "-s", Path.Combine(dir, "ca2.pub"), spec);

        await using var server = await LucidSshd.StartAsync($"RevokedKeys {krl}");
        Assert.Equal("in\n", (await server.SshAsync("echo in")).StdOut);
        Assert.DoesNotContain("revoked", server.Log);
    }

    [Fact]
    public async Task Missing_file_refuses_every_key_but_sshd_t_accepts_it_as_OpenSSH_does()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"lucid-no-such-krl-{Guid.NewGuid():N}");
        await using var server = await LucidSshd.StartAsync($"RevokedKeys {missing}");
        var t = await Lucid.RunAsync("sshd", "-t", "-f", Path.Combine(server.Directory, "sshd_config"));
        Assert.True(t.ExitCode == 0, t.ToString());

        var refused = await server.SshAsync("echo in");
        Assert.Equal(255, refused.ExitCode);
        var fingerprint = await FingerprintAsync(server.ClientKeyPath("ed25519") + ".pub");
        await server.WaitForLogAsync($"Error checking authentication key ED25519 {fingerprint} in revoked keys file {missing}: No such file or directory");
    }

    [Fact]
    public async Task Corrupt_krl_refuses_every_key()
    {
        await using var probe = await LucidSshd.StartAsync();
        var krl = Path.Combine(probe.Directory, "bad.krl");
        await KeygenAsync("-k", "-f", krl, probe.ClientKeyPath("rsa") + ".pub");
        var bytes = await File.ReadAllBytesAsync(krl);
        await File.WriteAllBytesAsync(krl, bytes[..^3]); // truncated inside the key section
        await using var server = await LucidSshd.StartAsync($"RevokedKeys {krl}");
        Assert.Equal(255, (await server.SshAsync("echo in")).ExitCode);
        await server.WaitForLogAsync($"in revoked keys file {krl}: incomplete message");
    }
}
