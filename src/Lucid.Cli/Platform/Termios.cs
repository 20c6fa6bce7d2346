using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>struct termios as glibc lays it out on Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Termios
{
    public uint IFlag;
    public uint OFlag;
    public uint CFlag;
    public uint LFlag;
    public byte Line;
    public fixed byte CC[32];
    public uint ISpeed;
    public uint OSpeed;
}
