namespace Lucid.Cli.Ssh;

/// <summary>The escape character setting: a single character, "^X" for a control character, or "none".</summary>
internal static class EscapeChars
{
    public const int None = -1;

    public static int? Parse(string text)
    {
        if (text.Equals("none", StringComparison.Ordinal))
            return None;
        if (text.Length == 1)
            return text[0];
        if (text.Length == 2 && text[0] == '^')
            return char.ToUpperInvariant(text[1]) & 31;
        return null;
    }
}
