using System.Text;

namespace Lucid.Ssh.OpenSsh;

/// <summary>
/// The two ways OpenSSH splits a configuration line: the keyword (and Match criteria) with strdelim-like rules
/// (whitespace, one '=' and double quotes), and arguments with argv-like rules (single or double quotes,
/// backslash escapes, a '#' starting a word ends the line). Both quirks matter for compatibility.
/// </summary>
internal sealed class SshConfigTokenizer
{
    private const string Whitespace = " \t\r\n";
    private readonly StringBuilder _buffer;
    private int _pos;

    public SshConfigTokenizer(string text)
    {
        _buffer = new StringBuilder(text);
        _pos = 0;
    }

    /// <summary>What is left after the tokens taken so far (null once the line is used up).</summary>
    public string? Rest => _pos < 0 ? null : _buffer.ToString(_pos, _buffer.Length - _pos);

    public void Consume() => _pos = -1;

    /// <summary>Next token; splits on whitespace, a single '=' (when <paramref name="splitEquals"/>) and quotes.
    /// Returns "" at the very end of the line and null when nothing is left or a quote is unmatched.</summary>
    public string? Next(bool splitEquals = true)
    {
        if (_pos < 0)
            return null;
        var start = _pos;
        var idx = IndexOfAny(start, splitEquals ? Whitespace + "\"=" : Whitespace + "\"");
        if (idx < 0)
        {
            _pos = -1;
            return _buffer.ToString(start, _buffer.Length - start);
        }
        if (_buffer[idx] == '"')
        {
            _buffer.Remove(idx, 1);
            var close = IndexOfAny(idx, "\"");
            if (close < 0)
            {
                _pos = -1;
                return null;
            }
            var quoted = _buffer.ToString(start, close - start);
            _pos = close + 1 + SpanOf(close + 1, Whitespace);
            return quoted;
        }
        var sawEquals = splitEquals && _buffer[idx] == '=';
        var token = _buffer.ToString(start, idx - start);
        _pos = idx + 1 + SpanOf(idx + 1, Whitespace);
        if (splitEquals && !sawEquals && _pos < _buffer.Length && _buffer[_pos] == '=')
            _pos = _pos + 1 + SpanOf(_pos + 1, Whitespace);
        return token;
    }

    private int IndexOfAny(int from, string chars)
    {
        for (var i = from; i < _buffer.Length; i++)
            if (chars.Contains(_buffer[i]))
                return i;
        return -1;
    }

    private int SpanOf(int from, string chars)
    {
        var n = 0;
        while (from + n < _buffer.Length && chars.Contains(_buffer[from + n]))
            n++;
        return n;
    }

    /// <summary>Splits arguments the way OpenSSH's argv_split does; null when a quote is left open.</summary>
    public static List<string>? SplitArguments(string s, bool terminateOnComment = true)
    {
        var args = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] is ' ' or '\t')
            {
                i++;
                continue;
            }
            if (terminateOnComment && s[i] == '#')
                break;
            var arg = new StringBuilder();
            char quote = '\0';
            for (; i < s.Length; i++)
            {
                var c = s[i];
                if (c == '\\')
                {
                    if (i + 1 < s.Length && (s[i + 1] is '\'' or '"' or '\\' || (quote == '\0' && s[i + 1] == ' ')))
                        i++;
                    arg.Append(s[i]);
                }
                else if (quote == '\0' && c is ' ' or '\t')
                    break;
                else if (quote == '\0' && c is '"' or '\'')
                    quote = c;
                else if (quote != '\0' && c == quote)
                    quote = '\0';
                else
                    arg.Append(c);
            }
            args.Add(arg.ToString());
            if (i >= s.Length)
            {
                if (quote != '\0')
                    return null;
                break;
            }
        }
        return args;
    }
}
