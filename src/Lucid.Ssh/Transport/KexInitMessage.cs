using System.Security.Cryptography;
using Lucid.Ssh.Crypto;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Transport;

/// <summary>SSH_MSG_KEXINIT (RFC 4253 section 7.1), kept with its exact payload for the exchange hash.</summary>
internal sealed class KexInitMessage
{
    public required string[] Kex { get; init; }
    public required string[] HostKey { get; init; }
    public required string[] CipherC2S { get; init; }
    public required string[] CipherS2C { get; init; }
    public required string[] MacC2S { get; init; }
    public required string[] MacS2C { get; init; }
    public required string[] CompressionC2S { get; init; }
    public required string[] CompressionS2C { get; init; }
    public bool FirstKexPacketFollows { get; init; }
    public byte[] Payload { get; private set; } = [];

    public static KexInitMessage Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload);
        if (reader.ReadByte() != (byte)MessageNumber.KexInit)
            throw new SshProtocolException("expected KEXINIT");
        reader.ReadBytes(16);
        var message = new KexInitMessage
        {
            Kex = reader.ReadNameList(),
            HostKey = reader.ReadNameList(),
            CipherC2S = reader.ReadNameList(),
            CipherS2C = reader.ReadNameList(),
            MacC2S = reader.ReadNameList(),
            MacS2C = reader.ReadNameList(),
            CompressionC2S = reader.ReadNameList(),
            CompressionS2C = reader.ReadNameList(),
        };
        reader.ReadNameList();
        reader.ReadNameList();
        bool follows = reader.ReadBoolean();
        reader.ReadUInt32(); // reserved
        return new KexInitMessage
        {
            Kex = message.Kex,
            HostKey = message.HostKey,
            CipherC2S = message.CipherC2S,
            CipherS2C = message.CipherS2C,
            MacC2S = message.MacC2S,
            MacS2C = message.MacS2C,
            CompressionC2S = message.CompressionC2S,
            CompressionS2C = message.CompressionS2C,
            FirstKexPacketFollows = follows,
            Payload = payload.ToArray(),
        };
    }

    /// <summary>Encodes the message (fresh random cookie) and remembers the payload.</summary>
    public byte[] Encode()
    {
        using var writer = new SshWriter(1024);
        writer.WriteByte((byte)MessageNumber.KexInit);
        Span<byte> cookie = stackalloc byte[16];
        RandomNumberGenerator.Fill(cookie);
        writer.WriteRaw(cookie);
        writer.WriteNameList(Kex).WriteNameList(HostKey).WriteNameList(CipherC2S).WriteNameList(CipherS2C)
            .WriteNameList(MacC2S).WriteNameList(MacS2C).WriteNameList(CompressionC2S).WriteNameList(CompressionS2C)
            .WriteNameList([]).WriteNameList([]).WriteBoolean(FirstKexPacketFollows).WriteUInt32(0);
        Payload = writer.ToArray();
        return Payload;
    }

    /// <summary>
    /// RFC 4253 section 7.1: for each category the first client algorithm the server also supports.
    /// Names that are only signals (ext-info-*, kex-strict-*) never count as a key exchange method.
    /// </summary>
    public static NegotiatedAlgorithms Negotiate(KexInitMessage client, KexInitMessage server, bool weAreServer)
    {
        try
        {
            return NegotiateCore(client, server);
        }
        catch (SshProtocolException e) when (e.Data["what"] is string what)
        {
            // OpenSSH's wording: "no matching cipher found. Their offer: aes128-cbc".
            var theirs = (string)e.Data[weAreServer ? "client" : "server"]!;
            var ours = (string)e.Data[weAreServer ? "server" : "client"]!;
            throw new SshProtocolException($"no matching {what} found. Their offer: {theirs}", DisconnectReason.KeyExchangeFailed)
                .At(SshStage.Kex, new SshFailureCause.NoCommonAlgorithm(what, ours.Split(',', StringSplitOptions.RemoveEmptyEntries),
                    theirs.Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }
    }

    private static NegotiatedAlgorithms NegotiateCore(KexInitMessage client, KexInitMessage server)
    {
        var kexName = First(client.Kex, server.Kex, n => !IsSignal(n) && AlgorithmRegistry.FindKex(n) is not null)
            ?? throw NoMatch("key exchange method", client.Kex, server.Kex);
        var hostKeyName = First(client.HostKey, server.HostKey, n => AlgorithmRegistry.FindHostKey(n) is not null)
            ?? throw NoMatch("host key type", client.HostKey, server.HostKey);
        var cipherC2S = Cipher(client.CipherC2S, server.CipherC2S);
        var cipherS2C = Cipher(client.CipherS2C, server.CipherS2C);
        var macC2S = cipherC2S.IsAead ? null : Mac(client.MacC2S, server.MacC2S);
        var macS2C = cipherS2C.IsAead ? null : Mac(client.MacS2C, server.MacS2C);
        return new NegotiatedAlgorithms(AlgorithmRegistry.FindKex(kexName)!, AlgorithmRegistry.FindHostKey(hostKeyName)!,
            cipherC2S, cipherS2C, macC2S, macS2C,
            Compression(client.CompressionC2S, server.CompressionC2S), Compression(client.CompressionS2C, server.CompressionS2C));
    }

    /// <summary>RFC 4253 section 7: a guessed packet is right only if both sides prefer the same KEX and host key algorithm.</summary>
    public static bool GuessIsRight(KexInitMessage client, KexInitMessage server) =>
        client.Kex.Length > 0 && server.Kex.Length > 0 && client.Kex[0] == server.Kex[0] &&
        client.HostKey.Length > 0 && server.HostKey.Length > 0 && client.HostKey[0] == server.HostKey[0];

    public static bool IsSignal(string name) =>
        name is "ext-info-c" or "ext-info-s" or KexStrictClient or KexStrictServer;

    public const string KexStrictClient = "kex-strict-c-v00@openssh.com";
    public const string KexStrictServer = "kex-strict-s-v00@openssh.com";

    private static CipherAlgorithmInfo Cipher(string[] client, string[] server) =>
        AlgorithmRegistry.FindCipher(First(client, server, n => AlgorithmRegistry.FindCipher(n) is not null)
            ?? throw NoMatch("cipher", client, server))!;

    private static MacAlgorithmInfo Mac(string[] client, string[] server) =>
        AlgorithmRegistry.FindMac(First(client, server, n => AlgorithmRegistry.FindMac(n) is not null)
            ?? throw NoMatch("MAC", client, server))!;

    private static CompressionAlgorithmInfo Compression(string[] client, string[] server) =>
        AlgorithmRegistry.FindCompression(First(client, server, n => AlgorithmRegistry.FindCompression(n) is not null)
            ?? throw NoMatch("compression method", client, server))!;

    private static string? First(string[] client, string[] server, Func<string, bool> known)
    {
        foreach (var name in client)
        {
            if (Array.IndexOf(server, name) >= 0 && known(name))
                return name;
        }
        return null;
    }

    private static SshProtocolException NoMatch(string what, string[] client, string[] server) =>
        new($"no matching {what} found", DisconnectReason.KeyExchangeFailed)
        {
            Data = { ["what"] = what, ["client"] = string.Join(',', client), ["server"] = string.Join(',', server) },
        };
}
