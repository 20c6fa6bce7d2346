using Lucid.Cli.Platform;
using Lucid.Ssh.Agent;

namespace Lucid.Cli.Agent;

/// <summary>
/// ssh-add -c keys: each use is put to the user through SSH_ASKPASS (or /usr/bin/ssh-askpass) with
/// SSH_ASKPASS_PROMPT=confirm, as OpenSSH's ask_permission does. The program's success with an empty answer or
/// "yes" allows; anything else, or a program that cannot run, refuses.
/// </summary>
internal static class AgentConfirm
{
    public static async ValueTask<bool> AskAsync(SshAgentConfirmation question, CancellationToken cancellationToken)
    {
        var program = Environment.GetEnvironmentVariable("SSH_ASKPASS");
        if (string.IsNullOrEmpty(program))
            program = Askpass.DefaultProgram;
        var answer = await Task.Run(() => Askpass.Run(program, question.Prompt, Console.Error.WriteLine, hint: "confirm"), cancellationToken);
        return answer is not null && (answer.Length == 0 || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
    }
}
