namespace Lucid.Cli.Keygen;

/// <summary>
/// Where ssh-keygen talks to the user. Ordinary output goes to stdout with "\n"; OpenSSH's log
/// messages (fatal, error) go to stderr ending in "\r\n", exactly as its log.c writes them.
/// Questions are answered from the terminal (passphrases without echo) or, when stdin is not a
/// terminal, from stdin one line at a time; passphrases from SSH_ASKPASS when OpenSSH would ask it.
/// </summary>
internal sealed class KeygenConsole(TextReader input, TextWriter output, TextWriter error, bool inputIsTerminal,
    Func<string, string?>? environment = null)
{
    public static KeygenConsole System() =>
        // Plain streams, not Console.In/Out: on a terminal those switch it into .NET's keypad mode and
        // print escape sequences; ssh-keygen leaves the terminal as it is.
        new(new StreamReader(RawStream(0, FileAccess.Read)),
            new StreamWriter(RawStream(1, FileAccess.Write)),
            new StreamWriter(RawStream(2, FileAccess.Write)) { AutoFlush = true },
            !Console.IsInputRedirected);

    /// <summary>stdin as bytes (data to sign or verify), bypassing the line reader.</summary>
    public static Stream RawInput() => RawStream(0, FileAccess.Read);

    private static Stream RawStream(int fd, FileAccess access) => new Platform.DescriptorStream(fd, access);

    public TextWriter Out { get; } = output;

    /// <summary>True once a question met the end of (non-terminal) input.</summary>
    public bool InputExhausted { get; private set; }

    /// <summary>printf(3) to stdout: the text as given.</summary>
    public void Print(string text) => Out.Write(text);

    public void PrintLine(string line) => Out.Write(line + "\n");

    /// <summary>OpenSSH's error()/fatal()/logit() on stderr.</summary>
    public void Log(string message)
    {
        Out.Flush();
        error.Write(message + "\r\n");
        error.Flush();
    }

    /// <summary>-v count: 1 shows debug1 lines, 2 debug2, 3 debug3.</summary>
    public int Verbosity { get; set; }

    /// <summary>OpenSSH's debug1()/debug2()/debug3(), shown from that many -v.</summary>
    public void Debug(int level, string message)
    {
        if (Verbosity >= level)
            Log($"debug{level}: {message}");
    }

    /// <summary>Writes straight to stderr (usage text), "\n" line ends as fprintf(stderr) has them.</summary>
    public void ErrorRaw(string text) => error.Write(text);

    /// <summary>Everything left on stdin (ssh-keygen -l -f -).</summary>
    public string ReadAllInput() => input.ReadToEnd();

    /// <summary>A visible answer (file name, y/n): prompt on stdout, like ssh-keygen's printf + fgets. Null at end of input.</summary>
    public string? Ask(string prompt)
    {
        Out.Write(prompt);
        Out.Flush();
        return input.ReadLine();
    }

    /// <summary>
    /// A secret: from the SSH_ASKPASS program when OpenSSH's read_passphrase would run it (forced, or stdin
    /// is not a terminal and there is a display); else on a terminal the prompt goes to the terminal and
    /// nothing is echoed; otherwise the prompt goes to stderr and a line is read from stdin. End of input
    /// (or a failed askpass) reads as an empty passphrase, as read_passphrase gives it.
    /// </summary>
    public string AskSecret(string prompt)
    {
        Out.Flush();
        if (Platform.Askpass.ForStdinPrompt(inputIsTerminal, environment ?? Environment.GetEnvironmentVariable) is { } program)
            return Platform.Askpass.Run(program, prompt, Log) ?? "";
        // On a terminal: prompt and answer through /dev/tty with echo off, as readpassphrase(3) does.
        if (inputIsTerminal && Platform.TtyPrompt.Ask(prompt, echo: false) is { } typed)
            return typed;
        error.Write(prompt);
        error.Flush();
        string? line = input.ReadLine();
        InputExhausted |= line is null;
        return line ?? "";
    }
}
