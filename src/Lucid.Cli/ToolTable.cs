namespace Lucid.Cli;

/// <summary>The `lucid` command: one entry per tool, looked up by the first argument.</summary>
internal static class ToolTable
{
    private sealed record Tool(string Name, string Summary, Func<string[], Task<int>> Run);

    // Tools register here as they land; the table drives dispatch and the help listing alike.
    private static readonly Tool[] Tools =
    [
        new("ssh", "remote login and command execution (OpenSSH ssh)", Ssh.SshTool.RunAsync),
        new("ssh-keygen", "generate, inspect and convert keys (OpenSSH ssh-keygen)", a => Task.FromResult(Keygen.KeygenTool.Run(a))),
        new("sshd", "the SSH server (OpenSSH sshd)", Sshd.SshdTool.RunAsync),
        new("ssh-agent", "holds private keys and signs with them (OpenSSH ssh-agent)", Agent.SshAgentTool.RunAsync),
        new("ssh-add", "adds, lists and removes the agent's keys (OpenSSH ssh-add)", Agent.SshAddTool.RunAsync),
        new("ssh-keyscan", "gather SSH public host keys (OpenSSH ssh-keyscan)", Keyscan.KeyscanTool.RunAsync),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            PrintHelp(Console.Out);
            return 0;
        }
        if (args[0] is "--version" or "-V")
        {
            Console.Out.WriteLine($"Lucid {Lucid.Ssh.LucidVersion.Number}");
            return 0;
        }

        var tool = Array.Find(Tools, t => t.Name == args[0]);
        if (tool is null)
        {
            Console.Error.WriteLine($"lucid: unknown tool '{args[0]}'. Run 'lucid --help' for the list of tools.");
            return 2;
        }
        return await tool.Run(args[1..]);
    }

    private static void PrintHelp(TextWriter output)
    {
        output.WriteLine("usage: lucid <tool> [arguments]");
        output.WriteLine();
        output.WriteLine("Lucid is an SSH suite; each tool takes the flags of its OpenSSH namesake.");
        output.WriteLine();
        output.WriteLine("tools:");
        foreach (var tool in Tools)
            output.WriteLine($"  {tool.Name,-12} {tool.Summary}");
    }
}
