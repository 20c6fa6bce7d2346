using System.Text;
using Lucid.Ssh.Crypto;

namespace Lucid.Ssh.Tests.Crypto;

/// <summary>UMAC against RFC 4418's test vectors (key "abcdefghijklmnop", nonce "bcdefghi") and the published extended set.</summary>
public sealed class UmacTests
{
    [Theory]
    // RFC 4418 appendix: message = pattern repeated to length.
    [InlineData("bcdefghi", "", 0, "113145FB", "6E155FAD26900BE1", "32FEDB100C79AD58F07FF7643CC60465")]
    [InlineData("bcdefghi", "a", 3, "3B91D102", "44B5CB542F220104", "185E4FE905CBA7BD85E4C2DC3D117D8D")]
    [InlineData("bcdefghi", "a", 1024, "599B350B", "26BF2F5D60118BD9", "7A54ABE04AF82D60FB298C3CBD195BCB")]
    [InlineData("bcdefghi", "aaaaaaaa", 32768, "58DCF532", "27F8EF643B0D118D", "7B136BD911E4B734286EF2BE501F2C3C")]
    [InlineData("bcdefghi", "aaaaaaaa", 1048576, "DB6364D1", "A4477E87E9F55853", "F8ACFA3AC31CFEEA047F7B115B03BEF5")]
    [InlineData("bcdefghi", "abc", 3, "ABF3A3A0", "D4D7B9F6BD4FBFCF", "883C3D4B97A61976FFCF232308CBA5A5")]
    [InlineData("bcdefghi", "abc", 1500, "ABEB3C8B", "D4CF26DDEFD5C01A", "8824A260C53C66A36C9260A62CB83AA1")]
    // Nonce lengths 1..16 and chunk-boundary message sizes.
    [InlineData("b", "defdefdefdefdef", 0, "3a58486b", "9e38f67da91a08d9", "9e38f67da91a08d9c980f4db4089c877")]
    [InlineData("bc", "defdefdefdefdef", 1, "d86b1512", "fb0e207971b8e66a", "ef406c2ec70d0222f59e860eabb79ed0")]
    [InlineData("bcdef", "defdefdefdefdef", 4, "8950f0d3", "aba003e7bd673cc3", "aba003e7bd673cc368ba8513cecf2e7c")]
    [InlineData("bcdefg", "defdefdefdefdef", 1020, "7412167c", "f98828a161bb4ae3", "d8b4811f747d588d7a913360960de7cf")]
    [InlineData("bcdefghij", "defdefdefdefdef", 1023, "26cc58df", "24ac4284ca371f42", "24ac4284ca371f4280f60bd274633d67")]
    [InlineData("bcdefghijk", "defdefdefdefdef", 1024, "3cada45a", "64c6a0fd14615a76", "abc223116cedd2db5af365e641a97539")]
    [InlineData("bcdefghijkl", "defdefdefdefdef", 1025, "93251e18", "93251e18e56bbdc4", "93251e18e56bbdc457de556f95c59931")]
    [InlineData("bcdefghijklmno", "defdefdefdefdef", 2046, "e12ddc9f", "65e85d47447c2277", "16bb5183017826ed47c9995c1e5834f3")]
    [InlineData("bcdefghijklmnopq", "defdefdefdefdef", 2048, "21fd8802", "3968d5d0af147884", "84565620def1e3a614d274e87626f215")]
    [InlineData("bc", "defdefdefdefdef", 2050, "a03a7fe9", "835f4a8242100055", "971106d5f4a5e41dce40a91704cfe1f3")]
    public void Matches_published_vectors(string nonce, string pattern, int length, string tag32, string tag64, string tag128)
    {
        var message = new byte[length];
        var bytes = Encoding.ASCII.GetBytes(pattern);
        for (int i = 0; i < length; i++)
            message[i] = bytes[i % bytes.Length];
        var key = Encoding.ASCII.GetBytes("abcdefghijklmnop");
        var n = Encoding.ASCII.GetBytes(nonce);
        Assert.Equal(tag32.ToLowerInvariant(), Tag(key, n, message, 4));
        Assert.Equal(tag64.ToLowerInvariant(), Tag(key, n, message, 8));
        Assert.Equal(tag128.ToLowerInvariant(), Tag(key, n, message, 16));
    }

    private static string Tag(byte[] key, byte[] nonce, byte[] message, int size)
    {
        using var umac = new Umac(key, size);
        var tag = new byte[size];
        umac.Compute(message, nonce, tag);
        return Convert.ToHexStringLower(tag);
    }
}
