using Lucid.Cli.Platform;

namespace Lucid.Interop.Tests.Platform;

/// <summary>The one getopt(3) the tools share: what it returns for the command lines OpenSSH's tools accept.</summary>
public sealed class GetoptTests
{
    private static (string Options, string[] Operands) Parse(string withArgument, params string[] args)
    {
        var getopt = new Getopt(args, withArgument);
        var seen = new List<string>();
        while (getopt.Next(out var flag, out var value))
            seen.Add(value is null ? $"{flag}" : $"{flag}={value}");
        return (string.Join(' ', seen), getopt.Operands);
    }

    [Theory]
    [InlineData("-lv -p 22 host cmd", "l v p=22", "host cmd")]
    [InlineData("-lvp22 host", "l v p=22", "host")]
    [InlineData("-p -l host", "p=-l", "host")]                // an argument may look like an option
    [InlineData("-l -- -v host", "l", "-v host")]             // "--" ends the options and is not an operand
    [InlineData("-l host -v", "l", "host -v")]                // the first operand ends the options
    [InlineData("- -l", "", "- -l")]                          // "-" alone is an operand
    [InlineData("-x", "x", "")]                               // unknown letters are the tool's to refuse
    [InlineData("", "", "")]
    public void Options_then_operands(string commandLine, string options, string operands)
    {
        var (parsed, rest) = Parse("p", commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(options, parsed);
        Assert.Equal(operands, string.Join(' ', rest));
    }

    [Fact]
    public void A_missing_argument_is_a_null_value()
    {
        var getopt = new Getopt(["-v", "-p"], "p");
        Assert.True(getopt.Next(out var flag, out var value));
        Assert.Equal(('v', null), (flag, value));
        Assert.True(getopt.Next(out flag, out value));
        Assert.Equal(('p', null), (flag, value));
        Assert.False(getopt.Next(out _, out _));
        Assert.Empty(getopt.Operands);
    }
}
