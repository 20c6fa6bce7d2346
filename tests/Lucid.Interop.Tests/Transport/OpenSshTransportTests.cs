using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Transport;

namespace Lucid.Interop.Tests.Transport;

/// <summary>Our client transport against OpenSSH's sshd: every algorithm completes KEX and gets SERVICE_ACCEPT.</summary>
public sealed class OpenSshTransportTests(OpenSshServerFixture fixture) : IClassFixture<OpenSshServerFixture>
{
    // What Debian's OpenSSH 9.2 implements; the methods it lacks (ML-KEM) are PostQuantumKexTests' against 10.5.
    public static TheoryData<string> KexNames => [.. AlgorithmRegistry.Kex.Select(k => k.Name).Where(OpenSshPeer.Debian92.SupportsKex)];
    public static TheoryData<string> HostKeyNames => [.. AlgorithmRegistry.HostKey.Select(k => k.Name)];
    public static TheoryData<string> CipherNames => [.. AlgorithmRegistry.Cipher.Select(k => k.Name)];
    public static TheoryData<string> MacNames => [.. AlgorithmRegistry.Mac.Select(k => k.Name)];

    [Theory]
    [MemberData(nameof(KexNames))]
    public async Task Each_kex_completes_against_OpenSSH(string kex)
    {
        var log = new List<string>();
        await using var transport = await TransportInterop.ConnectAsync(fixture.Server, o => o.KexAlgorithms = [kex], log);
        await TransportInterop.RequestUserAuthServiceAsync(transport);
        Assert.Equal(kex, transport.Algorithms!.Kex.Name);
        Assert.Contains($"kex: algorithm: {kex}", log);
    }

    [Theory]
    [MemberData(nameof(HostKeyNames))]
    public async Task Each_host_key_algorithm_is_verified(string hostKeyAlgorithm)
    {
        var log = new List<string>();
        SshPublicKey? seen = null;
        await using var transport = await TransportInterop.ConnectAsync(fixture.Server, o =>
        {
            o.HostKeyAlgorithms = [hostKeyAlgorithm];
            o.HostKeyVerifier = (key, _, _, _) =>
            {
                seen = key;
                return ValueTask.FromResult(true);
            };
        }, log);
        await TransportInterop.RequestUserAuthServiceAsync(transport);
        Assert.Equal(hostKeyAlgorithm, transport.Algorithms!.HostKey.Name);
        Assert.NotNull(seen);
        // The key OpenSSH signed with is the one ssh-keygen wrote for that type.
        var type = seen!.KeyType switch
        {
            "ssh-ed25519" => "ed25519",
            "ssh-rsa" => "rsa",
            var t => "ecdsa" + t[^3..],
        };
        var expected = SshPublicKey.ParseLine(File.ReadAllText(fixture.Server.HostKeyPath(type) + ".pub"));
        Assert.Equal(expected, seen);
        Assert.Contains(log, l => l.StartsWith($"Server host key: {seen.KeyType} SHA256:", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CipherNames))]
    public async Task Each_cipher_carries_packets(string cipher)
    {
        await using var transport = await TransportInterop.ConnectAsync(fixture.Server, o => o.Ciphers = [cipher]);
        await TransportInterop.RequestUserAuthServiceAsync(transport, withIgnorePackets: true);
        Assert.Equal(cipher, transport.Algorithms!.CipherClientToServer.Name);
        Assert.Equal(cipher, transport.Algorithms!.CipherServerToClient.Name);
    }

    [Theory]
    [MemberData(nameof(MacNames))]
    public async Task Each_mac_works_with_aes_ctr(string mac)
    {
        await using var transport = await TransportInterop.ConnectAsync(fixture.Server, o =>
        {
            o.Ciphers = ["aes128-ctr"];
            o.Macs = [mac];
        });
        await TransportInterop.RequestUserAuthServiceAsync(transport, withIgnorePackets: true);
        Assert.Equal(mac, transport.Algorithms!.MacClientToServer!.Name);
    }

    [Fact]
    public async Task Strict_kex_and_server_sig_algs_are_negotiated_with_OpenSSH()
    {
        await using var transport = await TransportInterop.ConnectAsync(fixture.Server);
        await TransportInterop.RequestUserAuthServiceAsync(transport);
        Assert.True(transport.IsStrictKex);
        Assert.NotNull(transport.ServerSignatureAlgorithms);
        Assert.Contains("rsa-sha2-512", transport.ServerSignatureAlgorithms!);
        Assert.StartsWith("SSH-2.0-OpenSSH_", transport.RemoteVersion);
    }

    [Fact]
    public async Task Refused_host_key_fails_with_host_key_verification_failed()
    {
        var e = await Assert.ThrowsAsync<SshHostKeyVerificationException>(() =>
            TransportInterop.ConnectAsync(fixture.Server, o => o.HostKeyVerifier = (_, _, _, _) => ValueTask.FromResult(false)));
        Assert.Equal("Host key verification failed.", e.Message);
    }
}
