using System.Text;

namespace Lucid.Cli.Ssh;

/// <summary>What an escape sequence asks the session to do.</summary>
internal enum EscapeCommand { Disconnect, Suspend, ListConnections, SendBreak, Rekey }

/// <summary>What typing produced: bytes for the remote side, text for the local terminal, or a command.</summary>
internal readonly record struct EscapeOutput(byte[]? Data, string? LocalText, EscapeCommand? Command);

/// <summary>
/// The escape character state machine of an interactive session, as OpenSSH's: the escape character
/// (default ~) is special only right after a newline (or at the very start); what follows it selects a
/// command, "~~" sends one "~", and anything else is sent as typed, escape character included.
/// </summary>
internal sealed class EscapeProcessor
{
    private readonly int _escapeChar;
    private bool _lastWasNewline = true;
    private bool _pending;

    public EscapeProcessor(int escapeChar) => _escapeChar = escapeChar;

    /// <summary>Whether escapes are on at all (EscapeChar none turns them off).</summary>
    public bool Enabled => _escapeChar != EscapeChars.None;

    /// <summary>Turns typed bytes into outputs, in order. A Disconnect ends processing: later bytes are dropped.</summary>
    public List<EscapeOutput> Process(ReadOnlySpan<byte> input)
    {
        var outputs = new List<EscapeOutput>();
        var data = new List<byte>(input.Length);

        void Flush()
        {
            if (data.Count > 0)
            {
                outputs.Add(new EscapeOutput([.. data], null, null));
                data.Clear();
            }
        }

        void Local(string text)
        {
            Flush();
            outputs.Add(new EscapeOutput(null, text, null));
        }

        void Command(EscapeCommand command)
        {
            Flush();
            outputs.Add(new EscapeOutput(null, null, command));
        }

        if (!Enabled)
        {
            if (!input.IsEmpty)
                outputs.Add(new EscapeOutput(input.ToArray(), null, null));
            return outputs;
        }

        var esc = (char)_escapeChar;
        foreach (var ch in input)
        {
            if (_pending)
            {
                _pending = false;
                switch (ch)
                {
                    case (byte)'.':
                        // OpenSSH queues "~." for the terminal but quits before writing it: nothing is shown.
                        Command(EscapeCommand.Disconnect);
                        return outputs;
                    case 'Z' - 64:
                        Local($"{Show(esc)}^Z [suspend ssh]\r\n");
                        Command(EscapeCommand.Suspend);
                        continue;
                    case (byte)'B':
                        Local($"{Show(esc)}B\r\n");
                        Command(EscapeCommand.SendBreak);
                        continue;
                    case (byte)'R':
                        Local($"{Show(esc)}R\r\n");
                        Command(EscapeCommand.Rekey);
                        continue;
                    case (byte)'?':
                        Local(Help(esc));
                        continue;
                    case (byte)'#':
                        Local($"{Show(esc)}#\r\n");
                        Command(EscapeCommand.ListConnections);
                        continue;
                    default:
                        // Not a command: the escape character goes out too, unless it was doubled.
                        if (ch != _escapeChar)
                            data.Add((byte)_escapeChar);
                        break;
                }
            }
            else if (_lastWasNewline && ch == _escapeChar)
            {
                _pending = true;
                continue;
            }
            _lastWasNewline = ch is (byte)'\r' or (byte)'\n';
            data.Add(ch);
        }
        Flush();
        return outputs;
    }

    // A control character escape is shown as OpenSSH prints it: the raw byte.
    private static string Show(char c) => c.ToString();

    /// <summary>The ~? text, as OpenSSH 9.2 prints it for a session that is not multiplexed.</summary>
    public static string Help(char esc)
    {
        var b = new StringBuilder();
        b.Append(esc).Append("?\r\nSupported escape sequences:\r\n");
        void Line(string cmd, string text) => b.Append(' ').Append(esc).Append(cmd.PadRight(3)).Append(" - ").Append(text).Append("\r\n");
        Line(".", "terminate connection (and any multiplexed sessions)");
        Line("B", "send a BREAK to the remote system");
        Line("R", "request rekey");
        Line("V/v", "decrease/increase verbosity (LogLevel)");
        Line("^Z", "suspend ssh");
        Line("#", "list forwarded connections");
        Line("&", "background ssh (when waiting for connections to terminate)");
        Line("?", "this message");
        b.Append(' ').Append(esc).Append(esc).Append("   - send the escape character by typing it twice\r\n");
        b.Append("(Note that escapes are only recognized immediately after newline.)\r\n");
        return b.ToString();
    }
}
