using Lucid.Ssh.Wire;
using Outcome = Lucid.Ssh.Auth.ClientAuthenticator.Outcome;

namespace Lucid.Ssh.Auth;

/// <summary>keyboard-interactive (RFC 4256): answer each INFO_REQUEST's prompts until the server decides.</summary>
internal sealed class KeyboardInteractiveMethod(ClientAuthenticator auth)
{
    private int _attempts;

    public async Task<Outcome> TryAsync(CancellationToken cancellationToken)
    {
        var options = auth.Options;
        if (_attempts >= options.NumberOfPasswordPrompts)
            return Outcome.Exhausted;
        if (options.KeyboardInteractiveCallback is null && options.Password is null)
            return Outcome.Exhausted;
        _attempts++;
        using (var request = auth.BeginRequest("keyboard-interactive"))
        {
            request.WriteString("").WriteString("");
            await auth.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        return await auth.ReadOutcomeAsync(cancellationToken, InfoRequestedAsync).ConfigureAwait(false);
    }

    private async Task<Outcome?> InfoRequestedAsync(Transport.SshPacket packet, CancellationToken cancellationToken)
    {
        if (packet.Type != MessageNumber.UserAuthMethod60)
            throw new SshProtocolException($"unexpected message type {(byte)packet.Type} in keyboard-interactive authentication");
        var request = Parse(packet);
        IReadOnlyList<string>? answers;
        if (auth.Options.KeyboardInteractiveCallback is { } callback)
            answers = await callback(request, cancellationToken).ConfigureAwait(false);
        else
            answers = AnswerWithPassword(request);
        if (answers is null)
            return Outcome.Exhausted;
        if (answers.Count != request.Prompts.Count)
            throw new InvalidOperationException($"keyboard-interactive callback gave {answers.Count} answers to {request.Prompts.Count} prompts");

        using var response = new SshWriter(64);
        response.WriteByte((byte)MessageNumber.UserAuthMethod61).WriteUInt32((uint)answers.Count);
        foreach (var answer in answers)
            response.WriteString(answer);
        await auth.SendAsync(response, cancellationToken).ConfigureAwait(false);
        response.Clear();
        return null;
    }

    /// <summary>Without a callback, a program's fixed password answers the secret prompts (PAM's "Password: ") once.</summary>
    private IReadOnlyList<string>? AnswerWithPassword(SshKeyboardInteractiveRequest request)
    {
        if (request.Prompts.Count == 0)
            return [];
        if (_attempts > 1 || auth.Options.Password is not { } password || request.Prompts.Any(p => p.Echo))
            return null;
        return request.Prompts.Select(_ => password).ToArray();
    }

    private static SshKeyboardInteractiveRequest Parse(Transport.SshPacket packet)
    {
        var reader = packet.Reader();
        string name = reader.ReadUtf8String();
        string instruction = reader.ReadUtf8String();
        reader.ReadString(); // language tag, deprecated by RFC 4256
        uint count = reader.ReadUInt32();
        if (count > 64)
            throw new SshProtocolException($"keyboard-interactive request with {count} prompts");
        var prompts = new SshKeyboardInteractivePrompt[count];
        for (int i = 0; i < prompts.Length; i++)
        {
            string prompt = reader.ReadUtf8String();
            prompts[i] = new SshKeyboardInteractivePrompt(prompt, reader.ReadBoolean());
        }
        return new SshKeyboardInteractiveRequest(name, instruction, prompts);
    }
}
