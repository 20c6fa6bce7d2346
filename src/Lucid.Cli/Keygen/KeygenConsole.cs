using System.Text;

namespace Lucid.Cli.Keygen;

/// <summary>
/// Where ssh-keygen talks to the user. Ordinary output goes to stdout with "\n"; OpenSSH's log
/// messages (fatal, error) go to stderr ending in "\r\n", exactly as its log.c writes them.
/// Questions are answered from the terminal (passphrases without echo) or, when stdin is not a
/// terminal, from stdin one line at a time.
/// </summary>
internal sealed class KeygenConsole(TextReader input, TextWriter output, TextWriter error, bool inputIsTerminal)
{
    public static KeygenConsole System() =>
        new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected);

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

    /// <summary>A visible answer (file name, y/n): prompt on stdout, like ssh-keygen's printf + fgets. Null at end of input.</summary>
    public string? Ask(string prompt)
    {
        Out.Write(prompt);
        Out.Flush();
        return input.ReadLine();
    }

    /// <summary>
    /// A secret: on a terminal the prompt goes to the terminal and nothing is echoed; otherwise the
    /// prompt goes to stderr and a line is read from stdin. End of input reads as an empty passphrase,
    /// as readpassphrase(3) gives it.
    /// </summary>
    public string AskSecret(string prompt)
    {
        Out.Flush();
        error.Write(prompt);
        error.Flush();
        if (!inputIsTerminal)
        {
            string? line = input.ReadLine();
            InputExhausted |= line is null;
            return line ?? "";
        }
        var sb = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
                break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (sb.Length > 0)
                    sb.Length--;
                continue;
            }
            if (key.KeyChar != '\0')
                sb.Append(key.KeyChar);
        }
        error.Write("\n");
        error.Flush();
        return sb.ToString();
    }
}
