using System.Text;
using Lucid.Ssh.Keys;

namespace Lucid.Ssh.Tests.Keys;

/// <summary>Bubble Babble against the vectors of its specification (Antti Huima, 2000).</summary>
public sealed class BubblebabbleTests
{
    [Theory]
    [InlineData("", "xexax")]
    [InlineData("1234567890", "xesef-disof-gytuf-katof-movif-baxux")]
    [InlineData("Pineapple", "xigak-nyryk-humil-bosek-sonax")]
    public void Encodes_the_specification_vectors(string input, string expected) =>
        Assert.Equal(expected, Bubblebabble.Encode(Encoding.ASCII.GetBytes(input)));
}
