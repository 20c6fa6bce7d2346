using Lucid.Ssh;
using Lucid.Ssh.Transport;

namespace Lucid.Fuzz.Tests.Regressions;

/// <summary>Inputs the fuzzer found that made the packet decompressor throw something other than its typed error.</summary>
public sealed class CompressionRegressionTests
{
    /// <summary>
    /// packet-framer: a zlib stream whose header asks for a preset dictionary (FDICT) made .NET's inflater throw
    /// ZLibException ("unexpected error code"), which escaped the transport as an untyped failure.
    /// </summary>
    [Fact]
    public void A_stream_asking_for_a_preset_dictionary_is_a_compression_error()
    {
        using var codec = new ZlibCodec(compress: false);
        byte[] fdict = [0x78, 0x20, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00];
        var e = Assert.Throws<SshProtocolException>(() => codec.Decompress(fdict, 1 << 20));
        Assert.StartsWith("decompression failed: ", e.Message);
    }
}
