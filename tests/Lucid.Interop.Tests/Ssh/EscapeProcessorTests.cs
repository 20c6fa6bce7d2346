using System.Text;
using Lucid.Cli.Ssh;

namespace Lucid.Interop.Tests.Ssh;

public sealed class EscapeProcessorTests
{
    private static string Sent(IEnumerable<EscapeOutput> outputs) =>
        string.Concat(outputs.Where(o => o.Data is not null).Select(o => Encoding.ASCII.GetString(o.Data!)));

    private static List<EscapeOutput> Type(EscapeProcessor p, string text) => p.Process(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void Tilde_dot_at_the_start_disconnects_and_drops_the_rest()
    {
        var outputs = Type(new EscapeProcessor('~'), "~.ignored");
        Assert.Equal(EscapeCommand.Disconnect, Assert.Single(outputs).Command);
    }

    [Fact]
    public void Tilde_dot_after_a_newline_disconnects_after_sending_the_line()
    {
        var outputs = Type(new EscapeProcessor('~'), "ls\r~.");
        Assert.Equal("ls\r", Encoding.ASCII.GetString(outputs[0].Data!));
        Assert.Equal(EscapeCommand.Disconnect, outputs[^1].Command);
    }

    [Fact]
    public void Tilde_in_the_middle_of_a_line_is_plain_text()
    {
        var p = new EscapeProcessor('~');
        var outputs = Type(p, "a~.b");
        Assert.Equal("a~.b", Sent(outputs));
        Assert.DoesNotContain(outputs, o => o.Command is not null);
    }

    [Fact]
    public void Double_tilde_sends_one_tilde()
    {
        Assert.Equal("~x", Sent(Type(new EscapeProcessor('~'), "~~x")));
    }

    [Fact]
    public void Unknown_escape_sends_both_characters()
    {
        Assert.Equal("~q", Sent(Type(new EscapeProcessor('~'), "~q")));
    }

    [Fact]
    public void Escape_split_across_reads_still_works()
    {
        var p = new EscapeProcessor('~');
        Assert.Empty(Type(p, "~"));
        var outputs = Type(p, ".");
        Assert.Equal(EscapeCommand.Disconnect, outputs[^1].Command);
    }

    [Fact]
    public void Help_lists_the_sequences_and_escapes_stay_armed_afterwards()
    {
        var p = new EscapeProcessor('~');
        var outputs = Type(p, "~?");
        var help = Assert.Single(outputs).LocalText!;
        Assert.StartsWith("~?\r\nSupported escape sequences:\r\n ~.   - terminate connection (and any multiplexed sessions)\r\n", help);
        Assert.Contains(" ~^Z  - suspend ssh\r\n", help);
        Assert.Contains(" ~#   - list forwarded connections\r\n", help);
        Assert.EndsWith(" ~~   - send the escape character by typing it twice\r\n(Note that escapes are only recognized immediately after newline.)\r\n", help);
        // OpenSSH leaves "after newline" set after a help request, so ~. works straight away.
        Assert.Equal(EscapeCommand.Disconnect, Type(p, "~.")[^1].Command);
    }

    [Fact]
    public void Ctrl_z_suspends_and_hash_lists_connections()
    {
        var outputs = Type(new EscapeProcessor('~'), "~\x1a~#");
        Assert.Equal("~^Z [suspend ssh]\r\n", outputs[0].LocalText);
        Assert.Equal(EscapeCommand.Suspend, outputs[1].Command);
        Assert.Equal("~#\r\n", outputs[2].LocalText);
        Assert.Equal(EscapeCommand.ListConnections, outputs[3].Command);
    }

    [Fact]
    public void Another_escape_character_replaces_tilde()
    {
        var p = new EscapeProcessor('%');
        Assert.Equal("~.", Sent(Type(p, "~.")));
        Assert.Equal(EscapeCommand.Disconnect, Type(p, "\n%.")[^1].Command);
    }

    [Fact]
    public void Escape_none_passes_everything_through()
    {
        Assert.Equal("~.", Sent(Type(new EscapeProcessor(EscapeChars.None), "~.")));
    }

    [Fact]
    public void Control_escape_character_parses_like_openssh()
    {
        Assert.Equal(0x1d, EscapeChars.Parse("^]"));
        Assert.Equal(EscapeChars.None, EscapeChars.Parse("none"));
        Assert.Null(EscapeChars.Parse("xx"));
    }
}
