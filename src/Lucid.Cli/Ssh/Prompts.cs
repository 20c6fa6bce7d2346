using Lucid.Cli.Platform;
using Lucid.Ssh.Auth;
using Lucid.Ssh.Client;
using Microsoft.Extensions.Logging;

namespace Lucid.Cli.Ssh;

/// <summary>
/// How `lucid ssh` answers the library's questions: identities, passphrases, passwords and
/// keyboard-interactive prompts on /dev/tty with OpenSSH's wording; BatchMode=yes never asks.
/// </summary>
internal sealed class Prompts(SshOptions options, SshLog log, bool passwordsDisabled)
{
    public SshClientOptions CreateClientOptions(string user, ILogger logger)
    {
        var client = new SshClientOptions { User = user, Logger = logger };
        var batch = options.EffectiveBatchMode;

        foreach (var file in IdentityFiles())
            client.IdentityFiles.Add(file);

        var methods = (options.PreferredAuthentications ?? "publickey,keyboard-interactive,password")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (options.PubkeyAuthentication == false)
            methods.Remove("publickey");
        if (options.PasswordAuthentication == false || passwordsDisabled)
            methods.Remove("password");
        if (options.KbdInteractiveAuthentication == false || passwordsDisabled)
            methods.Remove("keyboard-interactive");
        client.PreferredAuthentications = methods;
        if (options.NumberOfPasswordPrompts is { } prompts)
            client.NumberOfPasswordPrompts = prompts;
        if (options.PubkeyAcceptedAlgorithms is { } accepted)
            client.PubkeyAcceptedAlgorithms = [.. Lucid.Ssh.Crypto.AlgorithmRegistry.Edit(Lucid.Ssh.Crypto.AlgorithmCategory.HostKey, accepted)];

        client.BannerCallback = text =>
        {
            if (log.Level >= LogLevel.Info)
                SshLog.Raw(text);
        };
        if (batch)
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
                var answer = TtyPrompt.Ask($"({user}@{options.EffectiveHostName}) {prompt.Prompt}", prompt.Echo);
                if (answer is null)
                    return ValueTask.FromResult<IReadOnlyList<string>?>(null);
                answers.Add(answer);
            }
            return ValueTask.FromResult<IReadOnlyList<string>?>(answers);
        };
        return client;
    }

    /// <summary>-i files (and IdentityFile), or OpenSSH's default files when none were given.</summary>
    private IEnumerable<string> IdentityFiles()
    {
        if (options.IdentityFiles.Count > 0)
        {
            foreach (var file in options.IdentityFiles)
            {
                var path = SshPaths.Expand(file);
                if (!File.Exists(path))
                    log.Info($"Warning: Identity file {file} not accessible: No such file or directory.");
                yield return path;
            }
            yield break;
        }
        foreach (var name in new[] { "id_rsa", "id_ecdsa", "id_ed25519" })
            yield return Path.Combine(SshPaths.Home, ".ssh", name);
    }
}
