namespace Lucid.Ssh.Crypto;

/// <summary>UMAC (RFC 4418) with 64- or 128-bit tags.</summary>
internal sealed class Umac : IDisposable
{
    public Umac(ReadOnlySpan<byte> key, int tagSize) => TagSize = tagSize;

    public int TagSize { get; }

    public void Compute(ReadOnlySpan<byte> message, ReadOnlySpan<byte> nonce, Span<byte> tag) => throw new NotSupportedException("UMAC is not implemented yet");

    public void Dispose()
    {
    }
}
