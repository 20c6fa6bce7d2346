namespace Lucid.Cli.Keygen;

/// <summary>
/// ssh-keygen -M screen [-f candidates] [-O lines=N] [-O start-line=N] [-O checkpoint=FILE]
/// [-O generator=N] [-O prime-tests=N] output_file: screens DH group exchange moduli candidates and
/// appends the safe primes to output_file ("-": stdout). -M generate is not implemented yet and says so.
/// </summary>
internal static class ModuliCommand
{
    public static int Run(KeygenOptions o, KeygenConsole console)
    {
        if (o.Moduli is not "generate" and not "screen")
            throw new KeygenFatalException($"Unsupported moduli option {o.Moduli}");
        if (o.Operands.Count == 0)
            throw new KeygenFatalException("No output file specified");
        if (o.Operands.Count > 1)
            throw new KeygenFatalException("Too many output files specified");
        if (o.Moduli == "generate")
            throw new KeygenFatalException("ssh-keygen: -M generate is not supported by lucid ssh-keygen yet (-M screen is)", exitCode: 1);

        ulong lines = 0, startLine = 0;
        uint generator = 0;
        var trials = 100;
        string? checkpoint = null;
        foreach (var option in o.SignOptions)
        {
            if (option.StartsWith("lines=", StringComparison.Ordinal))
                lines = Number(option[6..]);
            else if (option.StartsWith("start-line=", StringComparison.Ordinal))
                startLine = Number(option[11..]);
            else if (option.StartsWith("checkpoint=", StringComparison.Ordinal))
                checkpoint = option[11..];
            else if (option.StartsWith("generator=", StringComparison.Ordinal))
                generator = PositiveNumber(option[10..], "Generator invalid");
            else if (option.StartsWith("prime-tests=", StringComparison.Ordinal))
                trials = (int)Math.Min(PositiveNumber(option[12..], "Invalid number"), int.MaxValue);
            else
                throw new KeygenFatalException($"Option \"{option}\" is unsupported for moduli screening");
        }
        if (trials < ModuliScreen.TrialsMinimum)
        {
            console.Log($"Minimum primality trials is {ModuliScreen.TrialsMinimum}");
            throw new KeygenFatalException("modulus screening failed");
        }

        string[] input;
        var inputPath = o.File ?? "-";
        try
        {
            input = inputPath == "-" ? console.ReadAllInput().Split('\n') : File.ReadAllLines(inputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeygenFatalException($"Couldn't open modulus candidate file \"{inputPath}\": {KeyFileAccess.Describe(e)}");
        }
        if (inputPath == "-" && input.Length > 0 && input[^1].Length == 0)
            input = input[..^1];

        var screen = new ModuliScreen(console) { Trials = trials, GeneratorWanted = generator, Checkpoint = checkpoint, StartLine = startLine, Lines = lines };
        var target = o.Operands[0];
        if (target == "-")
        {
            screen.Run(input, console.Out);
            return 0;
        }
        StreamWriter output;
        try
        {
            output = new StreamWriter(target, append: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeygenFatalException($"Couldn't open moduli file \"{target}\": {KeyFileAccess.Describe(e)}");
        }
        using (output)
            screen.Run(input, output);
        return 0;
    }

    // strtoul as OpenSSH reads lines= and start-line=: leading digits, anything else is 0.
    private static ulong Number(string text)
    {
        var digits = new string([.. text.TakeWhile(char.IsAsciiDigit)]);
        return ulong.TryParse(digits, out var n) ? n : 0;
    }

    private static uint PositiveNumber(string text, string what)
    {
        if (!uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            throw new KeygenFatalException($"{what}: {text} (invalid)");
        if (n == 0)
            throw new KeygenFatalException($"{what}: {text} (too small)");
        return n;
    }
}
