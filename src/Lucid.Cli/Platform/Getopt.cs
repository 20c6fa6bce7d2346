namespace Lucid.Cli.Platform;

/// <summary>
/// getopt(3) as OpenSSH's tools call it, in one place: flags may be clustered (-lv); an option's argument is the rest
/// of its word (-p2222) or the next word (-p 2222); "--", or the first word that is not an option, ends the options.
/// Each tool keeps its own letters, messages and checks; an unknown letter is returned like any other for the tool to
/// refuse in its own words.
/// </summary>
internal sealed class Getopt(string[] args, string lettersWithArgument)
{
    private int _word;
    private int _letter = 1;

    /// <summary>The words after the options (a command, files, hosts), once <see cref="Next"/> has returned false.</summary>
    public string[] Operands => args[_word..];

    /// <summary>
    /// The next option. For a letter in lettersWithArgument, <paramref name="value"/> is its argument, or null when the
    /// command line ends first ("option requires an argument"); for any other letter it is null.
    /// </summary>
    public bool Next(out char flag, out string? value)
    {
        flag = '\0';
        value = null;
        if (_letter == 1)
        {
            if (_word >= args.Length)
                return false;
            var word = args[_word];
            if (word == "--")
            {
                _word++;
                return false;
            }
            if (word.Length < 2 || word[0] != '-')
                return false;
        }
        var current = args[_word];
        flag = current[_letter++];
        if (lettersWithArgument.Contains(flag, StringComparison.Ordinal))
        {
            if (_letter < current.Length)
                value = current[_letter..];
            else if (_word + 1 < args.Length)
                value = args[++_word];
            NextWord();
            return true;
        }
        if (_letter >= current.Length)
            NextWord();
        return true;
    }

    private void NextWord()
    {
        _word++;
        _letter = 1;
    }
}
