using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Keys;

/// <summary>The SSH signature encoding shared by every key type: string algorithm, string signature.</summary>
internal static class SignatureBlob
{
    public static byte[] Create(string algorithm, ReadOnlySpan<byte> signature)
    {
        using var writer = new SshWriter(signature.Length + algorithm.Length + 8);
        writer.WriteString(algorithm).WriteString(signature);
        return writer.ToArray();
    }

    /// <summary>Splits a signature blob; false when it is malformed or has trailing bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> blob, out string algorithm, out ReadOnlySpan<byte> signature)
    {
        algorithm = "";
        signature = default;
        try
        {
            var reader = new SshReader(blob);
            algorithm = reader.ReadUtf8String();
            signature = reader.ReadString();
            return reader.IsAtEnd;
        }
        catch (SshProtocolException)
        {
            return false;
        }
    }
}
