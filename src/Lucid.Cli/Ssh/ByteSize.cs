using System.Globalization;

namespace Lucid.Cli.Ssh;

/// <summary>Byte counts with K, M, G suffixes (powers of 1024), as RekeyLimit takes them.</summary>
internal static class ByteSize
{
    public static long? Parse(string text)
    {
        if (text.Length == 0)
            return null;
        long scale = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        var digits = scale == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return null;
        return n * scale;
    }
}
