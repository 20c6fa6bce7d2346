namespace Lucid.Interop.Tests.Keygen;

/// <summary>
/// Broken input on purpose. Where OpenSSH already says something useful lucid says the same; where
/// it does not ("error in libcrypto", "invalid format") lucid names the file, the line and the problem.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeygenMalformedInputTests : IDisposable
{
    private const string Ed25519Line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTMy c";
    private readonly KeygenSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Theory]
    [InlineData("bad base64", "ssh-ed25519 AAAAC3Nza!!C1lZDI1NTE5AAAAIF8JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTMy c")]
    [InlineData("truncated blob", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8JmjfLCih5koKae90Cgx7F0pgX c")]
    [InlineData("wrong key length", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAH18JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTM= c")]
    [InlineData("bad padding", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTM c")]
    [InlineData("type mismatch", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIF8JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTMy c")]
    [InlineData("unknown type", "ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIF8JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTMy c")]
    [InlineData("empty", "")]
    public async Task Broken_public_key_files_are_not_public_key_files(string what, string line)
    {
        _box.Write("k.pub", line + "\n");
        var ours = await _box.AssertSameAsOpenSsh("-l", "-f", "k.pub");
        Assert.True(ours.ExitCode == 255, what);
        Assert.Equal("k.pub is not a public key file.\r\n", ours.StdErr);
        // With -v each rejected line is named.
        var verbose = await _box.Lucid("-lv", "-f", "k.pub");
        if (line.Length > 0)
            Assert.StartsWith("debug1: k.pub:1: not a public key\r\n", verbose.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_key_among_broken_lines_is_enough() =>
        Assert.Equal(0, (await KeyFileWith("garbage\n" + Ed25519Line + "\nssh-ed25519 AAAA\n")).ExitCode);

    private async Task<ProcessResult> KeyFileWith(string text)
    {
        _box.Write("keys", text);
        return await _box.AssertSameAsOpenSsh("-l", "-f", "keys");
    }

    private const string Begin = "---- BEGIN SSH2 PUBLIC KEY ----\n";
    private const string End = "---- END SSH2 PUBLIC KEY ----\n";

    [Theory]
    [InlineData(Begin + "Comment: \"x\"\nAAAAC3NzaC1lZDI1NTE5AAAAIF8Jmj!LCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTMy\n" + End,
        "k.rfc line 3: invalid base64 character '!'")]
    [InlineData(Begin + "AAAAC3NzaC1lZDI1NTE5AAAAIF8JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTM\n" + End,
        "k.rfc line 2: invalid base64 key data (bad length or padding)")]
    [InlineData(Begin + "AAAAC3NzaC1lZDI1NTE5AAAAH18JmjfLCih5koKae90Cgx7F0pgX/VtJpUhvnjxQGTM=\n" + End,
        "k.rfc: invalid ssh-ed25519 public key: 31 bytes instead of 32")]
    [InlineData(Begin + "AAAAC3NzaC1lZDI1NTE5AAAAIF8JmjfLCih5koKae90\n",
        "k.rfc line 2: invalid base64 key data (bad length or padding)")]
    [InlineData(Ed25519Line + "\n",
        "k.rfc line 1: not an RFC 4716 public key: missing \"---- BEGIN SSH2 PUBLIC KEY ----\"")]
    public async Task Broken_rfc4716_imports_name_the_file_line_and_problem(string text, string message)
    {
        _box.Write("k.rfc", text);
        var ours = await _box.Lucid("-i", "-f", "k.rfc");
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal("", ours.StdOut);
        Assert.Equal(message + "\r\n", ours.StdErr);
        Assert.Equal(255, (await _box.OpenSsh("-i", "-f", "k.rfc")).ExitCode);
    }

    [Theory]
    [InlineData("PKCS8", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n", "k.pem: invalid PUBLIC KEY structure")]
    [InlineData("PKCS8", "-----BEGIN PUBLIC KEY-----\nMIIB!!!\n-----END PUBLIC KEY-----\n", "k.pem: no PEM \"-----BEGIN PUBLIC KEY-----\" block found")]
    [InlineData("PEM", "just text\n", "k.pem: no PEM \"-----BEGIN PUBLIC KEY-----\" block found")]
    public async Task Broken_pem_imports_name_the_file_and_problem(string format, string text, string message)
    {
        _box.Write("k.pem", text);
        var ours = await _box.Lucid("-i", "-m", format, "-f", "k.pem");
        Assert.Equal(255, ours.ExitCode);
        Assert.Equal(message + "\r\n", ours.StdErr);
        Assert.Equal(255, (await _box.OpenSsh("-i", "-m", format, "-f", "k.pem")).ExitCode);
    }
}
