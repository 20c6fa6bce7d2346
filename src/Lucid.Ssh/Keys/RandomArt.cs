using System.Text;

namespace Lucid.Ssh.Keys;

/// <summary>
/// The "drunken bishop" picture ssh-keygen -lv draws from a fingerprint digest: a bishop starts in the
/// middle of a 17x9 board and each pair of digest bits moves it one diagonal step; squares visited more
/// often get denser characters. Same board, alphabet, borders and title rules as OpenSSH, so the
/// pictures match character for character.
/// </summary>
public static class RandomArt
{
    private const int Width = 17;
    private const int Height = 9;
    // Index 0 is an unvisited square; the last two mark the start and the end of the walk.
    private const string Alphabet = " .o+=*BOX@%&#/^SE";

    public static string Draw(SshPublicKey key, FingerprintHash hash) =>
        Draw(KeyFingerprint.Digest((key is SshCertificate c ? c.Key : key).Blob.Span, hash), KeyFingerprint.HashName(hash),
            KeyFingerprint.TypeLabel(key.KeyType), key.SizeInBits);

    /// <summary>
    /// Draws the picture for <paramref name="digest"/>, titled "[<paramref name="typeLabel"/> <paramref name="bits"/>]"
    /// and footed "[<paramref name="hashName"/>]". No trailing newline, like OpenSSH's string.
    /// </summary>
    public static string Draw(ReadOnlySpan<byte> digest, string hashName, string typeLabel, int bits)
    {
        int end = Alphabet.Length - 1;
        var field = new int[Width, Height];
        int x = Width / 2, y = Height / 2;
        foreach (byte b in digest)
        {
            int input = b;
            for (int step = 0; step < 4; step++)
            {
                x = Math.Clamp(x + ((input & 1) != 0 ? 1 : -1), 0, Width - 1);
                y = Math.Clamp(y + ((input & 2) != 0 ? 1 : -1), 0, Height - 1);
                // Visits saturate below the start/end markers.
                if (field[x, y] < end - 2)
                    field[x, y]++;
                input >>= 2;
            }
        }
        field[Width / 2, Height / 2] = end - 1;
        field[x, y] = end;

        var sb = new StringBuilder((Width + 3) * (Height + 2));
        AppendBorder(sb, Title(typeLabel, bits));
        sb.Append('\n');
        for (int row = 0; row < Height; row++)
        {
            sb.Append('|');
            for (int col = 0; col < Width; col++)
                sb.Append(Alphabet[Math.Min(field[col, row], end)]);
            sb.Append("|\n");
        }
        AppendBorder(sb, Fit("[" + hashName + "]"));
        return sb.ToString();
    }

    // OpenSSH formats into a 17-byte buffer: a title that does not fit drops the size, and whatever
    // still overflows is cut to 16 characters.
    private static string Title(string typeLabel, int bits)
    {
        string title = $"[{typeLabel} {bits}]";
        if (title.Length > Width)
            title = $"[{typeLabel}]";
        return Fit(title);
    }

    private static string Fit(string s) => s.Length > Width - 1 ? s[..(Width - 1)] : s;

    private static void AppendBorder(StringBuilder sb, string label)
    {
        int left = (Width - label.Length) / 2;
        sb.Append('+').Append('-', left).Append(label).Append('-', Width - left - label.Length).Append('+');
    }
}
