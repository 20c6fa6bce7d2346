using System.Net;
using System.Net.Sockets;
using Lucid.Interop.Tests.Fixtures;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;

namespace Lucid.Interop.Tests.Transport;

/// <summary>
/// OpenSSH's ssh against our server transport: a stub on top answers SERVICE_REQUEST and refuses every
/// authentication, so "Permission denied (publickey)." from ssh proves KEX, NEWKEYS and packets both ways worked.
/// </summary>
public sealed class OpenSshClientAgainstOurServerTests
{
    private static readonly Lazy<SshPrivateKey[]> HostKeys = new(() =>
    [
        SshPrivateKey.Generate("ed25519"), SshPrivateKey.Generate("ecdsa", 256), SshPrivateKey.Generate("ecdsa", 384),
        SshPrivateKey.Generate("ecdsa", 521), SshPrivateKey.Generate("rsa", 2048),
    ]);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        // What Debian's OpenSSH 9.2 implements; the methods it lacks (ML-KEM) are PostQuantumKexTests' against 10.5.
        foreach (var kex in AlgorithmRegistry.Kex.Where(k => OpenSshPeer.Debian92.SupportsKex(k.Name)))
            data.Add("KexAlgorithms", kex.Name);
        foreach (var hostKey in AlgorithmRegistry.HostKey)
            data.Add("HostKeyAlgorithms", hostKey.Name);
        foreach (var cipher in AlgorithmRegistry.Cipher)
            data.Add("Ciphers", cipher.Name);
        foreach (var mac in AlgorithmRegistry.Mac)
            data.Add("MACs", mac.Name);
        data.Add("Compression", "yes");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OpenSSH_ssh_completes_kex_with_our_server(string option, string value)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serverTask = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync();
            var options = new ServerTransportOptions
            {
                HostKeys = HostKeys.Value,
                KexAlgorithms = AlgorithmRegistry.Names(AlgorithmCategory.Kex),
                HostKeyAlgorithms = AlgorithmRegistry.Names(AlgorithmCategory.HostKey),
                // Every cipher, the legacy CBC ones (never in the defaults) included.
                Ciphers = AlgorithmRegistry.Names(AlgorithmCategory.Cipher),
                Macs = AlgorithmRegistry.Names(AlgorithmCategory.Mac),
                Compression = AlgorithmRegistry.Names(AlgorithmCategory.Compression),
            };
            await using var transport = await SshTransport.AcceptServerAsync(tcp.GetStream(), options);
            await RefuseEverythingAsync(transport);
            return transport.Algorithms!;
        });

        // A MAC is only used with a non-AEAD cipher.
        string[] sshOptions = option == "MACs" ? ["-o", "Ciphers=aes128-ctr"] : [];
        var result = await ProcessRunner.RunAsync("ssh",
        [
            "-F", "/dev/null", "-p", port.ToString(), "-o", $"{option}={value}", .. sshOptions,
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "PubkeyAuthentication=no", "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
            "-o", "HostKeyAlgorithms=" + (option == "HostKeyAlgorithms" ? value : "ssh-ed25519"),
            "-o", "KexAlgorithms=" + (option == "KexAlgorithms" ? value : "curve25519-sha256"),
            "-v", "-l", "nobody", "127.0.0.1", "true",
        ], timeout: TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 255 && result.StdErr.Contains("Permission denied (publickey)."), result.ToString());
        var algorithms = await serverTask.WaitAsync(TimeSpan.FromSeconds(10));
        switch (option)
        {
            case "KexAlgorithms":
                Assert.Equal(value, algorithms.Kex.Name);
                break;
            case "HostKeyAlgorithms":
                Assert.Equal(value, algorithms.HostKey.Name);
                break;
            case "Ciphers":
                Assert.Equal(value, algorithms.CipherClientToServer.Name);
                break;
            case "MACs":
                Assert.Equal(value, algorithms.MacServerToClient!.Name);
                break;
            case "Compression":
                Assert.Equal("zlib@openssh.com", algorithms.CompressionServerToClient.Name);
                break;
        }
    }

    private static async Task RefuseEverythingAsync(SshTransport transport)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            SshPacket packet;
            try
            {
                packet = await transport.ReceiveAsync(cts.Token);
            }
            catch (global::Lucid.Ssh.SshConnectionException)
            {
                return; // ssh gave up and closed
            }
            using (packet)
            {
                using var reply = new SshWriter();
                if (packet.Type == MessageNumber.ServiceRequest)
                    reply.WriteByte((byte)MessageNumber.ServiceAccept).WriteString(packet.Reader().ReadUtf8String());
                else if (packet.Type == MessageNumber.UserAuthRequest)
                    reply.WriteByte((byte)MessageNumber.UserAuthFailure).WriteString("publickey").WriteBoolean(false);
                else
                    continue;
                await transport.SendAsync(reply.WrittenMemory);
            }
        }
    }
}
