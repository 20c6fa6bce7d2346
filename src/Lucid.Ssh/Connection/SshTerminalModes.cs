using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Connection;

/// <summary>
/// Encoded terminal modes for pty-req (RFC 4254 section 8): opcode/value pairs ended by TTY_OP_END.
/// The CLI fills one from the local termios; a server applies the decoded pairs to the new PTY.
/// </summary>
public sealed class SshTerminalModes
{
    // Opcodes from RFC 4254 section 8; named so callers need not remember numbers.
    public const byte TtyOpEnd = 0;
    public const byte VINTR = 1, VQUIT = 2, VERASE = 3, VKILL = 4, VEOF = 5, VEOL = 6, VEOL2 = 7, VSTART = 8, VSTOP = 9,
        VSUSP = 10, VDSUSP = 11, VREPRINT = 12, VWERASE = 13, VLNEXT = 14, VFLUSH = 15, VSWTCH = 16, VSTATUS = 17, VDISCARD = 18;
    public const byte IGNPAR = 30, PARMRK = 31, INPCK = 32, ISTRIP = 33, INLCR = 34, IGNCR = 35, ICRNL = 36, IUCLC = 37,
        IXON = 38, IXANY = 39, IXOFF = 40, IMAXBEL = 41, IUTF8 = 42;
    public const byte ISIG = 50, ICANON = 51, XCASE = 52, ECHO = 53, ECHOE = 54, ECHOK = 55, ECHONL = 56, NOFLSH = 57,
        TOSTOP = 58, IEXTEN = 59, ECHOCTL = 60, ECHOKE = 61, PENDIN = 62;
    public const byte OPOST = 70, OLCUC = 71, ONLCR = 72, OCRNL = 73, ONOCR = 74, ONLRET = 75;
    public const byte CS7 = 90, CS8 = 91, PARENB = 92, PARODD = 93;
    public const byte TtyOpIspeed = 128, TtyOpOspeed = 129;

    private readonly List<KeyValuePair<byte, uint>> _modes = [];

    public static SshTerminalModes Empty => new();

    public IReadOnlyList<KeyValuePair<byte, uint>> Modes => _modes;

    /// <summary>Adds or replaces one mode; opcodes 160-255 are reserved (they carry no defined argument) and refused.</summary>
    public SshTerminalModes Set(byte opcode, uint value)
    {
        if (opcode is TtyOpEnd or >= 160)
            throw new ArgumentOutOfRangeException(nameof(opcode), $"terminal mode opcode {opcode} cannot be encoded");
        int index = _modes.FindIndex(m => m.Key == opcode);
        if (index >= 0)
            _modes[index] = new(opcode, value);
        else
            _modes.Add(new(opcode, value));
        return this;
    }

    public bool TryGet(byte opcode, out uint value)
    {
        foreach (var (key, v) in _modes)
        {
            if (key == opcode)
            {
                value = v;
                return true;
            }
        }
        value = 0;
        return false;
    }

    public byte[] Encode()
    {
        using var writer = new SshWriter(_modes.Count * 5 + 1);
        foreach (var (opcode, value) in _modes)
            writer.WriteByte(opcode).WriteUInt32(value);
        writer.WriteByte(TtyOpEnd);
        return writer.ToArray();
    }

    /// <summary>Decodes a modes string; stops at TTY_OP_END or at the first reserved opcode, as OpenSSH does.</summary>
    public static SshTerminalModes Decode(ReadOnlySpan<byte> encoded)
    {
        var modes = new SshTerminalModes();
        var reader = new SshReader(encoded);
        while (!reader.IsAtEnd)
        {
            byte opcode = reader.ReadByte();
            if (opcode == TtyOpEnd || opcode >= 160)
                break;
            modes._modes.Add(new(opcode, reader.ReadUInt32()));
        }
        return modes;
    }
}
