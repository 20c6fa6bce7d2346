namespace Lucid.Interop.Tests;

public sealed class CliTests
{
    [Fact]
    public async Task No_arguments_lists_the_tools()
    {
        var result = await Lucid.RunAsync();
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ssh-keygen", result.StdOut);
    }

    [Fact]
    public async Task Unknown_tool_is_a_clear_error_with_exit_2()
    {
        var result = await Lucid.RunAsync("frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("lucid: unknown tool 'frobnicate'. Run 'lucid --help' for the list of tools.\n", result.StdErr);
    }
}
