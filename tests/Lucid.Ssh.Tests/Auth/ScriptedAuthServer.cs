using System.Text;
using Lucid.Ssh.Keys;
using Lucid.Ssh.Tests.Connection;
using Lucid.Ssh.Transport;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Auth;

/// <summary>
/// A small server side of RFC 4252/4256 for in-memory tests: chains of methods like sshd's
/// AuthenticationMethods, authorized keys with accepted signature algorithms, a password (optionally
/// expired), keyboard-interactive prompts, a banner and EXT_INFO server-sig-algs. Records what the client did.
/// </summary>
public sealed class ScriptedAuthServer(InMemoryPacketConnection transport)
{
    public List<string[]> Chains { get; init; } = [["publickey"], ["password"], ["keyboard-interactive"]];
    public List<SshPublicKey> AuthorizedKeys { get; init; } = [];
    public string[]? AcceptedSignatureAlgorithms { get; init; }
    public string? ServerSigAlgs { get; init; }
    public string? Banner { get; init; }
    public string Password { get; set; } = "secret";
    public bool PasswordExpired { get; set; }
    public (string Prompt, bool Echo)[] KeyboardPrompts { get; init; } = [("Password: ", false)];
    public string[] KeyboardAnswers { get; init; } = ["secret"];
    public int MaxFailures { get; init; } = 20;

    /// <summary>What the client did, in order: "none", "publickey? alg", "publickey! alg", "password", "password-change", "keyboard-interactive".</summary>
    public List<string> Log { get; } = [];

    private readonly List<string> _done = [];

    /// <summary>Serves until the client is authenticated (returns true) or gives up/fails too often (false).</summary>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        if (ServerSigAlgs is not null)
            await Send(w => w.WriteByte((byte)MessageNumber.ExtInfo).WriteUInt32(1).WriteString("server-sig-algs").WriteString(ServerSigAlgs), ct);
        using (var request = await transport.ReceiveAsync(ct))
        {
            Assert.Equal(MessageNumber.ServiceRequest, request.Type);
            Assert.Equal("ssh-userauth", Encoding.ASCII.GetString(request.Reader().ReadString()));
        }
        await Send(w => w.WriteByte((byte)MessageNumber.ServiceAccept).WriteString("ssh-userauth"), ct);
        if (Banner is not null)
            await Send(w => w.WriteByte((byte)MessageNumber.UserAuthBanner).WriteString(Banner).WriteString(""), ct);

        int failures = 0;
        while (failures < MaxFailures)
        {
            SshPacket packet;
            try
            {
                packet = await transport.ReceiveAsync(ct);
            }
            catch (SshConnectionException)
            {
                return false;
            }
            using (packet)
            {
                Assert.Equal(MessageNumber.UserAuthRequest, packet.Type);
                var reader = packet.Reader();
                string user = reader.ReadUtf8String();
                Assert.Equal("ssh-connection", reader.ReadUtf8String());
                string method = reader.ReadUtf8String();
                bool? passed = method switch
                {
                    "none" => Record("none", false),
                    "publickey" => await PublicKey(user, packet, ct),
                    "password" => await PasswordAsync(packet, ct),
                    "keyboard-interactive" => await KeyboardAsync(ct),
                    _ => false,
                };
                if (passed is null)
                    continue; // PK_OK sent; the client now signs
                if (passed == true)
                {
                    _done.Add(method);
                    if (Chains.Any(c => c.Length == _done.Count && c.SequenceEqual(_done)))
                    {
                        await Send(w => w.WriteByte((byte)MessageNumber.UserAuthSuccess), ct);
                        return true;
                    }
                }
                else
                {
                    failures++;
                }
                await Send(w => w.WriteByte((byte)MessageNumber.UserAuthFailure).WriteNameList(AllowedMethods()).WriteBoolean(passed == true), ct);
            }
        }
        return false;
    }

    private bool Record(string entry, bool result)
    {
        Log.Add(entry);
        return result;
    }

    private IEnumerable<string> AllowedMethods() => Chains
        .Where(c => c.Length > _done.Count && c.Take(_done.Count).SequenceEqual(_done))
        .Select(c => c[_done.Count]).Distinct();

    private bool Allowed(string method) => AllowedMethods().Contains(method);

    private async Task<bool?> PublicKey(string user, SshPacket packet, CancellationToken ct)
    {
        var reader = packet.Reader();
        reader.ReadString(); reader.ReadString(); reader.ReadString();
        bool signed = reader.ReadBoolean();
        string algorithm = reader.ReadUtf8String();
        var blob = reader.ReadString().ToArray();
        Log.Add($"publickey{(signed ? "!" : "?")} {algorithm}");
        var key = AuthorizedKeys.FirstOrDefault(k => k.Blob.Span.SequenceEqual(blob));
        bool acceptable = Allowed("publickey") && key is not null && key.SignatureAlgorithms.Contains(algorithm)
            && (AcceptedSignatureAlgorithms is null || AcceptedSignatureAlgorithms.Contains(algorithm));
        if (!signed)
        {
            if (!acceptable)
                return false;
            await Send(w => w.WriteByte((byte)MessageNumber.UserAuthMethod60).WriteString(algorithm).WriteString(blob), ct);
            return null;
        }
        int signedLength = packet.Payload.Length - reader.Remaining;
        var signature = reader.ReadString();
        using var data = new SshWriter();
        data.WriteString(transport.SessionId.Span).WriteRaw(packet.Payload[..signedLength]);
        return acceptable && key!.Verify(data.WrittenSpan, signature);
    }

    private async Task<bool> PasswordAsync(SshPacket packet, CancellationToken ct)
    {
        var reader = packet.Reader();
        reader.ReadString(); reader.ReadString(); reader.ReadString();
        bool change = reader.ReadBoolean();
        string password = reader.ReadUtf8String();
        Log.Add(change ? "password-change" : "password");
        if (!Allowed("password") || password != Password)
            return false;
        if (change)
        {
            Password = reader.ReadUtf8String();
            PasswordExpired = false;
            return true;
        }
        if (!PasswordExpired)
            return true;
        await Send(w => w.WriteByte((byte)MessageNumber.UserAuthMethod60).WriteString("Password expired, choose a new one").WriteString(""), ct);
        using var next = await transport.ReceiveAsync(ct);
        return await PasswordAsync(next, ct);
    }

    private async Task<bool> KeyboardAsync(CancellationToken ct)
    {
        Log.Add("keyboard-interactive");
        if (!Allowed("keyboard-interactive"))
            return false;
        await Send(w =>
        {
            w.WriteByte((byte)MessageNumber.UserAuthMethod60).WriteString("PAM").WriteString("Answer please").WriteString("")
                .WriteUInt32((uint)KeyboardPrompts.Length);
            foreach (var (prompt, echo) in KeyboardPrompts)
                w.WriteString(prompt).WriteBoolean(echo);
        }, ct);
        using var response = await transport.ReceiveAsync(ct);
        if (response.Type != MessageNumber.UserAuthMethod61)
            return false;
        var reader = response.Reader();
        uint count = reader.ReadUInt32();
        var answers = new string[count];
        for (int i = 0; i < count; i++)
            answers[i] = reader.ReadUtf8String();
        return answers.SequenceEqual(KeyboardAnswers);
    }

    private ValueTask Send(Action<SshWriter> build, CancellationToken ct)
    {
        using var writer = new SshWriter();
        build(writer);
        return transport.SendAsync(writer.ToArray(), ct);
    }
}
