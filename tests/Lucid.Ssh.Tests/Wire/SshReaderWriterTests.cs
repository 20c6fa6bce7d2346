using System.Numerics;
using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Tests.Wire;

public sealed class SshReaderWriterTests
{
    [Fact]
    public void Every_type_round_trips()
    {
        using var writer = new SshWriter();
        writer.WriteByte(7).WriteBoolean(true).WriteUInt32(0xdeadbeef).WriteUInt64(ulong.MaxValue - 1)
            .WriteString("héllo").WriteMPInt(new BigInteger(-1234567)).WriteNameList(["a", "b-c@d"]);
        var reader = new SshReader(writer.WrittenSpan);
        Assert.Equal(7, reader.ReadByte());
        Assert.True(reader.ReadBoolean());
        Assert.Equal(0xdeadbeefu, reader.ReadUInt32());
        Assert.Equal(ulong.MaxValue - 1, reader.ReadUInt64());
        Assert.Equal("héllo", reader.ReadUtf8String());
        // Negative mpints are legal on the wire but used by no algorithm, so the reader refuses them.
        int mpintAt = reader.Position;
        var ex = Assert.Throws<SshProtocolException>(() => new SshReader(writer.WrittenSpan[mpintAt..]).ReadMPInt());
        Assert.Equal("negative mpint", ex.Message);
    }

    // RFC 4251 section 5 gives these mpint encodings.
    [Theory]
    [InlineData("0", "00000000")]
    [InlineData("9a378f9b2e332a7", "0000000809a378f9b2e332a7")]
    [InlineData("80", "000000020080")]
    public void Mpint_matches_rfc4251_examples(string hex, string expected)
    {
        var value = BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber);
        using var writer = new SshWriter();
        writer.WriteMPInt(value);
        Assert.Equal(expected, Convert.ToHexStringLower(writer.WrittenSpan));
        using var fromMagnitude = new SshWriter();
        fromMagnitude.WriteMPIntMagnitude(Convert.FromHexString(hex.Length % 2 == 1 ? "0" + hex : hex));
        Assert.Equal(expected, Convert.ToHexStringLower(fromMagnitude.WrittenSpan));
        var reader = new SshReader(writer.WrittenSpan);
        Assert.Equal(value, reader.ReadMPInt());
    }

    [Theory]
    [InlineData("000000", "message truncated: needed 4 bytes, 3 remain")]
    [InlineData("00000005616263", "string length 5 exceeds the 3 bytes remaining")]
    [InlineData("ffffffff", "string length 4294967295 exceeds the 0 bytes remaining")]
    public void Truncated_strings_are_protocol_errors(string hex, string message)
    {
        var ex = Assert.Throws<SshProtocolException>(() => new SshReader(Convert.FromHexString(hex)).ReadString().ToArray());
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("0000000161", new[] { "a" })]
    [InlineData("00000000", new string[0])]
    public void Name_lists_parse(string hex, string[] expected) =>
        Assert.Equal(expected, new SshReader(Convert.FromHexString(hex)).ReadNameList());

    [Theory]
    [InlineData("00000003612c2c", "name-list contains an empty name")]
    [InlineData("000000026120", "name-list contains a character outside printable US-ASCII")]
    public void Bad_name_lists_are_refused(string hex, string message) =>
        Assert.Equal(message, Assert.Throws<SshProtocolException>(() => new SshReader(Convert.FromHexString(hex)).ReadNameList()).Message);

    [Fact]
    public void Mpint_with_redundant_leading_zero_is_refused() =>
        Assert.Throws<SshProtocolException>(() => new SshReader(Convert.FromHexString("000000020001")).ReadMPInt());

    [Fact]
    public void Invalid_utf8_is_refused() =>
        Assert.Throws<SshProtocolException>(() => new SshReader(Convert.FromHexString("00000001ff")).ReadUtf8String());
}
