using System.Text;
using Lucid.Ssh.Wire;
using Outcome = Lucid.Ssh.Auth.ClientAuthenticator.Outcome;

namespace Lucid.Ssh.Auth;

/// <summary>password (RFC 4252 section 8), including the server's demand for a new password (PASSWD_CHANGEREQ).</summary>
internal sealed class PasswordMethod(ClientAuthenticator auth)
{
    private int _attempts;
    private bool _fixedPasswordUsed;

    public async Task<Outcome> TryAsync(CancellationToken cancellationToken)
    {
        var options = auth.Options;
        if (_attempts >= options.NumberOfPasswordPrompts)
            return Outcome.Exhausted;
        string? password;
        if (!_fixedPasswordUsed && options.Password is not null)
        {
            _fixedPasswordUsed = true;
            password = options.Password;
        }
        else if (options.PasswordCallback is { } ask)
        {
            var prompt = new SshPasswordPrompt(options.User, auth.Context.Host,
                $"{options.User}@{auth.Context.Host}'s password: ", _attempts + 1);
            password = await ask(prompt, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return Outcome.Exhausted;
        }
        if (password is null)
            return Outcome.Exhausted;
        _attempts++;

        using (var request = auth.BeginRequest("password"))
        {
            request.WriteBoolean(false).WriteString(password);
            await auth.SendAsync(request, cancellationToken).ConfigureAwait(false);
            request.Clear();
        }
        return await auth.ReadOutcomeAsync(cancellationToken, ChangeRequestedAsync).ConfigureAwait(false);
    }

    private async Task<Outcome?> ChangeRequestedAsync(Transport.SshPacket packet, CancellationToken cancellationToken)
    {
        if (packet.Type != MessageNumber.UserAuthMethod60)
            throw new SshProtocolException($"unexpected message type {(byte)packet.Type} in password authentication");
        var reader = packet.Reader();
        string prompt = reader.ReadUtf8String();
        var options = auth.Options;
        if (options.PasswordChangeCallback is not { } change)
            return Outcome.Exhausted;
        var answer = await change(new SshPasswordChangeRequest(options.User, auth.Context.Host, prompt), cancellationToken).ConfigureAwait(false);
        if (answer is null)
            return Outcome.Exhausted;
        using var request = auth.BeginRequest("password");
        request.WriteBoolean(true).WriteString(answer.OldPassword).WriteString(answer.NewPassword);
        await auth.SendAsync(request, cancellationToken).ConfigureAwait(false);
        request.Clear();
        return null;
    }
}
