namespace Lucid.Ssh.Keys;

/// <summary>
/// The Bubble Babble encoding (Antti Huima): bytes as pronounceable five-letter groups between x's, the
/// form `ssh-keygen -B` shows a key's SHA-1 fingerprint in.
/// </summary>
public static class Bubblebabble
{
    private const string Vowels = "aeiouy";
    private const string Consonants = "bcdfghklmnprstvzx";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var text = new System.Text.StringBuilder("x", 6 * (data.Length / 2 + 1) + 2);
        var seed = 1;
        var rounds = data.Length / 2 + 1;
        for (var i = 0; i < rounds; i++)
        {
            // Each round takes a pair of bytes; an odd last byte still gets its three letters, an even
            // length ends with a round that spells out only the checksum seed.
            if (i + 1 < rounds || data.Length % 2 != 0)
            {
                int b = data[2 * i];
                text.Append(Vowels[(((b >> 6) & 3) + seed) % 6])
                    .Append(Consonants[(b >> 2) & 15])
                    .Append(Vowels[((b & 3) + seed / 6) % 6]);
                if (i + 1 < rounds)
                {
                    int c = data[2 * i + 1];
                    text.Append(Consonants[(c >> 4) & 15]).Append('-').Append(Consonants[c & 15]);
                    seed = (seed * 5 + b * 7 + c) % 36;
                }
            }
            else
            {
                text.Append(Vowels[seed % 6]).Append(Consonants[16]).Append(Vowels[seed / 6]);
            }
        }
        return text.Append('x').ToString();
    }

    /// <summary>`ssh-keygen -B`: the Bubble Babble of the key blob's SHA-1.</summary>
    public static string Fingerprint(SshPublicKey key) =>
        Encode(System.Security.Cryptography.SHA1.HashData((key is SshCertificate c ? c.Key : key).Blob.Span));
}
