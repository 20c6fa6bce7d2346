using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>ssh_config(5) list edits: replace, +append, -remove, ^prepend, wildcards.</summary>
public sealed class AlgorithmListTests
{
    private static readonly string[] Defaults = ["a-1", "b-2", "c-3"];
    private static readonly string[] Supported = ["a-1", "b-2", "c-3", "d-4", "e-5@x"];

    [Theory]
    [InlineData(null, "a-1,b-2,c-3")]
    [InlineData("d-4,a-1", "d-4,a-1")]
    [InlineData("+d-4", "a-1,b-2,c-3,d-4")]
    [InlineData("+a-1", "a-1,b-2,c-3")]
    [InlineData("-b-2", "a-1,c-3")]
    [InlineData("-*-2,c*", "a-1")]
    [InlineData("^d-4,c-3", "d-4,c-3,a-1,b-2")]
    [InlineData("*@x", "e-5@x")]
    [InlineData("+?-4", "a-1,b-2,c-3,d-4")]
    [InlineData("zz*", "")]
    public void Edits_follow_ssh_config(string? spec, string expected) =>
        Assert.Equal(expected, string.Join(',', AlgorithmList.Edit(spec, Defaults, Supported)));

    [Fact]
    public void Unknown_names_are_an_error() =>
        Assert.Equal("unsupported algorithm \"nope\"", Assert.Throws<ArgumentException>(() => AlgorithmList.Edit("+nope", Defaults, Supported)).Message);

    [Fact]
    public void Registry_defaults_follow_OpenSSH_and_exclude_legacy()
    {
        Assert.Equal("chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr",
            string.Join(',', AlgorithmRegistry.Defaults(AlgorithmCategory.Cipher)));
        Assert.DoesNotContain("diffie-hellman-group14-sha1", AlgorithmRegistry.Defaults(AlgorithmCategory.Kex));
        Assert.DoesNotContain("ssh-rsa", AlgorithmRegistry.Defaults(AlgorithmCategory.HostKey));
        Assert.Equal("mlkem768x25519-sha256", AlgorithmRegistry.Defaults(AlgorithmCategory.Kex)[0]);
        Assert.Contains("hmac-sha1", AlgorithmRegistry.Edit(AlgorithmCategory.Mac, "+hmac-sha1"));
        Assert.Equal(["aes256-ctr"], AlgorithmRegistry.Edit(AlgorithmCategory.Cipher, "aes256-ctr"));
    }
}
