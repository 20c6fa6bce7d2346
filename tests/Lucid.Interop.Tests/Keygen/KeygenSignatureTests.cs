namespace Lucid.Interop.Tests.Keygen;

/// <summary>
/// Signatures both ways through ssh-keygen -Y: what lucid signs OpenSSH verifies, what OpenSSH signs
/// lucid verifies, and both say the same about bad signatures.
/// </summary>
public sealed class KeygenSignatureTests : IDisposable
{
    private const string Message = "the quick brown fox\n";
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    private async Task SetUp(string type, string bits)
    {
        Assert.Equal(0, (await _box.OpenSsh("-q", "-t", type, "-b", bits, "-N", "", "-C", "signer", "-f", "id")).ExitCode);
        _box.Write("msg", Message);
        string key = string.Join(' ', _box.Read("id.pub").Split(' ')[..2]);
        _box.Write("allowed_signers", $"# who may sign\nalice@example.com,*@corp.example {key}\ncarol namespaces=\"mail\" {key}\n");
    }

    [Theory]
    [MemberData(nameof(KeygenKeys.Types), MemberType = typeof(KeygenKeys))]
    public async Task OpenSsh_verifies_lucid_signatures(string type, string bits)
    {
        await SetUp(type, bits);
        var sign = await _box.Lucid("-Y", "sign", "-f", "id", "-n", "file", "msg");
        Assert.True(sign.ExitCode == 0, sign.ToString());
        Assert.Equal(("", "Signing file msg\nWrite signature to msg.sig\n"), (sign.StdOut, sign.StdErr));

        var theirs = await _box.OpenSshWithInput(Message, "-Y", "verify", "-f", "allowed_signers", "-I", "alice@example.com", "-n", "file", "-s", "msg.sig");
        Assert.True(theirs.ExitCode == 0, theirs.ToString());
        Assert.StartsWith("Good \"file\" signature for alice@example.com with ", theirs.StdOut, StringComparison.Ordinal);
        await _box.AssertSameAsOpenSshWithInput(Message, "-Y", "verify", "-f", "allowed_signers", "-I", "bob@corp.example", "-n", "file", "-s", "msg.sig");
        await _box.AssertSameAsOpenSshWithInput(Message, "-Y", "check-novalidate", "-n", "file", "-s", "msg.sig");
    }

    [Theory]
    [MemberData(nameof(KeygenKeys.Types), MemberType = typeof(KeygenKeys))]
    public async Task Lucid_verifies_openssh_signatures_and_agrees_on_bad_ones(string type, string bits)
    {
        await SetUp(type, bits);
        Assert.Equal(0, (await _box.OpenSsh("-q", "-Y", "sign", "-f", "id", "-n", "file", "msg")).ExitCode);

        var good = await _box.AssertSameAsOpenSshWithInput(Message, "-Y", "verify", "-f", "allowed_signers", "-I", "alice@example.com", "-n", "file", "-s", "msg.sig");
        Assert.Equal(0, good.ExitCode);
        await _box.AssertSameAsOpenSshWithInput(Message, "-Y", "check-novalidate", "-n", "file", "-s", "msg.sig");

        var tampered = await _box.AssertSameAsOpenSshWithInput("the quick brown cat\n", "-Y", "check-novalidate", "-n", "file", "-s", "msg.sig");
        Assert.Equal((255, "Could not verify signature.\n", "Signature verification failed: incorrect signature\r\n"), (tampered.ExitCode, tampered.StdOut, tampered.StdErr));
        await _box.AssertSameAsOpenSshWithInput(Message, "-Y", "verify", "-f", "allowed_signers", "-I", "mallory", "-n", "file", "-s", "msg.sig");
        await _box.AssertSameAsOpenSshWithInput(Message, "-Y", "verify", "-f", "allowed_signers", "-I", "alice@example.com", "-n", "mail", "-s", "msg.sig");
    }

    [Fact]
    public async Task Namespace_restrictions_in_allowed_signers_match_openssh()
    {
        await SetUp("ed25519", "256");
        Assert.Equal(0, (await _box.Lucid("-q", "-Y", "sign", "-f", "id", "-n", "file", "msg")).ExitCode);
        var refused = await _box.AssertSameAsOpenSshWithInput(Message, "-Y", "verify", "-f", "allowed_signers", "-I", "carol", "-n", "file", "-s", "msg.sig");
        Assert.Equal("allowed_signers:3: key is not permitted for use in signature namespace \"file\"\r\n", refused.StdErr);
    }

    [Fact]
    public async Task Ed25519_signatures_are_byte_identical_to_openssh_s()
    {
        await SetUp("ed25519", "256");
        Assert.Equal(0, (await _box.Lucid("-q", "-Y", "sign", "-f", "id", "-n", "git", "-O", "hashalg=sha256", "msg")).ExitCode);
        string ours = _box.Read("msg.sig");
        File.Delete(_box.PathOf("msg.sig"));
        Assert.Equal(0, (await _box.OpenSsh("-q", "-Y", "sign", "-f", "id", "-n", "git", "-O", "hashalg=sha256", "msg")).ExitCode);
        Assert.Equal(_box.Read("msg.sig"), ours);
    }

    [Fact]
    public async Task Signing_stdin_writes_the_signature_to_stdout()
    {
        await SetUp("ecdsa", "256");
        var sign = await _box.LucidWithInput(Message, "-Y", "sign", "-f", "id.pub", "-n", "file");
        Assert.Equal(0, sign.ExitCode);
        Assert.Equal("Signing data on standard input\n", sign.StdErr);
        Assert.StartsWith("-----BEGIN SSH SIGNATURE-----\n", sign.StdOut, StringComparison.Ordinal);
        _box.Write("stdin.sig", sign.StdOut);
        var check = await _box.OpenSshWithInput(Message, "-Y", "check-novalidate", "-n", "file", "-s", "stdin.sig");
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Theory]
    [InlineData("-Y", "sign", "-f", "id", "msg")]
    [InlineData("-Y", "sign", "-n", "file", "msg")]
    [InlineData("-Y", "verify", "-n", "file", "-s", "msg.sig", "-I", "a")]
    [InlineData("-Y", "check-novalidate", "-n", "file")]
    public async Task Missing_arguments_are_reported_like_openssh(params string[] args)
    {
        await SetUp("ed25519", "256");
        var result = await _box.AssertSameAsOpenSshWithInput("", args);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Encrypted_signing_keys_ask_for_the_passphrase_like_openssh()
    {
        Assert.Equal(0, (await _box.OpenSsh("-q", "-t", "ecdsa", "-N", "sign secret", "-f", "enc")).ExitCode);
        _box.Write("msg", Message);
        var theirs = await _box.OpenSshWithInput("sign secret\n", "-Y", "sign", "-f", "enc.pub", "-n", "file", "msg");
        Assert.Equal(0, theirs.ExitCode);
        File.Delete(_box.PathOf("msg.sig"));
        var ours = await _box.LucidWithInput("sign secret\n", "-Y", "sign", "-f", "enc.pub", "-n", "file", "msg");
        Assert.Equal(theirs.ToString(), ours.ToString());
        Assert.Equal(0, (await _box.OpenSshWithInput(Message, "-Y", "check-novalidate", "-n", "file", "-s", "msg.sig")).ExitCode);
        File.Delete(_box.PathOf("msg.sig"));
        Assert.Equal(0, (await _box.Lucid("-q", "-Y", "sign", "-f", "enc", "-P", "sign secret", "-n", "file", "msg")).ExitCode);
        var wrong = await _box.Lucid("-q", "-Y", "sign", "-f", "enc", "-P", "nope", "-n", "file", "msg");
        Assert.Equal((255, "Load key \"enc\": incorrect passphrase supplied to decrypt private key\r\n"), (wrong.ExitCode, wrong.StdErr));
    }
}
