using Lucid.Cli.Platform;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Lucid.Ssh.OpenSsh;
using Microsoft.Extensions.Logging;

namespace Lucid.Cli.Ssh;

/// <summary>
/// How `lucid ssh` answers the library's questions: identities, passphrases, passwords and
/// keyboard-interactive prompts on /dev/tty with OpenSSH's wording; BatchMode=yes never asks.
/// </summary>
internal sealed class Prompts(EffectiveSshConfig config, SshLog log, bool passwordsDisabled)
{
    public SshClientOptions CreateClientOptions(ILogger logger)
    {
        // User, IdentityFile (~ and tokens expanded; missing files are skipped, as ssh does), the authentication
        // methods and their limits, algorithms: all from the effective configuration.
        var client = config.ApplyTo(new SshClientOptions { Logger = logger, IsOwnedByCurrentUser = Platform.FileOwnership.IsOwnedByCurrentUser });
        var user = client.User;
        if (passwordsDisabled)
            client.PreferredAuthentications = [.. client.PreferredAuthentications.Where(m => m is not ("password" or "keyboard-interactive"))];

        client.BannerCallback = text =>
        {
            if (log.Level >= LogLevel.Info)
                SshLog.Raw(text);
        };
        client.Agent = Agent.ClientAgent.Open(config, log);
        if (config.BatchMode)
            return client;

        client.PassphraseCallback = (file, _) => ValueTask.FromResult(TtyPrompt.Ask($"Enter passphrase for key '{file}': ", echo: false));
        client.PasswordCallback = (prompt, _) =>
        {
            if (prompt.Attempt > 1)
                log.Info("Permission denied, please try again.");
            return ValueTask.FromResult(TtyPrompt.Ask(prompt.Prompt, echo: false));
        };
        client.KeyboardInteractiveCallback = (request, _) =>
        {
            if (request.Name.Length > 0)
                log.Info(request.Name);
            if (request.Instruction.Length > 0)
                log.Info(request.Instruction.TrimEnd('\n'));
            var answers = new List<string>();
            foreach (var prompt in request.Prompts)
            {
                // OpenSSH names the account in front of every server prompt, so a user knows who is asking.
                var answer = TtyPrompt.Ask($"({user}@{config.HostName}) {prompt.Prompt}", prompt.Echo);
                if (answer is null)
                    return ValueTask.FromResult<IReadOnlyList<string>?>(null);
                answers.Add(answer);
            }
            return ValueTask.FromResult<IReadOnlyList<string>?>(answers);
        };
        return client;
    }
}
