using System.Buffers.Binary;

namespace Lucid.Cli.Platform;

/// <summary>Encodes a Linux termios as the "encoded terminal modes" string of a pty-req (RFC 4254 section 8).</summary>
internal static class TerminalModes
{
    // (opcode, index into c_cc) — the control characters, in RFC 4254 order.
    private static readonly (byte Op, int Index)[] ControlChars =
    [
        (1, 0),   // VINTR
        (2, 1),   // VQUIT
        (3, 2),   // VERASE
        (4, 3),   // VKILL
        (5, 4),   // VEOF
        (6, 11),  // VEOL
        (7, 16),  // VEOL2
        (8, 8),   // VSTART
        (9, 9),   // VSTOP
        (10, 10), // VSUSP
        (12, 12), // VREPRINT
        (13, 14), // VWERASE
        (14, 15), // VLNEXT
        (18, 13), // VDISCARD
    ];

    // Linux flag bits (octal in <termios.h>) paired with their RFC 4254 opcodes.
    private static readonly (byte Op, uint Bit)[] InputFlags =
    [
        (30, 0x4), (31, 0x8), (32, 0x10), (33, 0x20), (34, 0x40), (35, 0x80), (36, 0x100),
        (37, 0x200), (38, 0x400), (39, 0x800), (40, 0x1000), (41, 0x2000), (42, 0x4000),
    ];

    private static readonly (byte Op, uint Bit)[] LocalFlags =
    [
        (50, 0x1), (51, 0x2), (52, 0x4), (53, 0x8), (54, 0x10), (55, 0x20), (56, 0x40), (57, 0x80),
        (58, 0x100), (59, 0x8000), (60, 0x200), (61, 0x800), (62, 0x4000),
    ];

    private static readonly (byte Op, uint Bit)[] OutputFlags =
    [
        (70, 0x1), (71, 0x2), (72, 0x4), (73, 0x8), (74, 0x10), (75, 0x20),
    ];

    private static readonly (byte Op, uint Bit)[] ControlFlags =
    [
        (92, 0x100), (93, 0x200),
    ];

    private const uint CSize = 0x30, CS7 = 0x20, CS8 = 0x30;
    private const byte VDisable = 0;

    public static unsafe byte[] Encode(Termios t, uint inputSpeed, uint outputSpeed)
    {
        var output = new List<byte>(256);
        void Put(byte op, uint value)
        {
            output.Add(op);
            Span<byte> v = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v, value);
            output.AddRange(v);
        }

        Put(128, Baud(inputSpeed));
        Put(129, Baud(outputSpeed));
        foreach (var (op, index) in ControlChars)
        {
            var c = t.CC[index];
            Put(op, c == VDisable ? 255u : c);
        }
        foreach (var (op, bit) in InputFlags)
            Put(op, (t.IFlag & bit) != 0 ? 1u : 0u);
        foreach (var (op, bit) in LocalFlags)
            Put(op, (t.LFlag & bit) != 0 ? 1u : 0u);
        foreach (var (op, bit) in OutputFlags)
            Put(op, (t.OFlag & bit) != 0 ? 1u : 0u);
        Put(90, (t.CFlag & CSize) == CS7 ? 1u : 0u);
        Put(91, (t.CFlag & CSize) == CS8 ? 1u : 0u);
        foreach (var (op, bit) in ControlFlags)
            Put(op, (t.CFlag & bit) != 0 ? 1u : 0u);
        output.Add(0); // TTY_OP_END
        return [.. output];
    }

    /// <summary>Linux speed_t codes (Bxxx) to bits per second; unknown codes become 38400 as a harmless default.</summary>
    private static uint Baud(uint code) => code switch
    {
        0 => 0, 1 => 50, 2 => 75, 3 => 110, 4 => 134, 5 => 150, 6 => 200, 7 => 300, 8 => 600,
        9 => 1200, 10 => 1800, 11 => 2400, 12 => 4800, 13 => 9600, 14 => 19200, 15 => 38400,
        0x1001 => 57600, 0x1002 => 115200, 0x1003 => 230400, 0x1004 => 460800, 0x1005 => 500000,
        0x1006 => 576000, 0x1007 => 921600, 0x1008 => 1000000, 0x1009 => 1152000, 0x100a => 1500000,
        0x100b => 2000000, 0x100c => 2500000, 0x100d => 3000000, 0x100e => 3500000, 0x100f => 4000000,
        _ => 38400,
    };
}
