using System.Runtime.InteropServices;

namespace Lucid.Cli.Platform;

/// <summary>struct winsize (TIOCGWINSZ).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WinSize
{
    public ushort Rows;
    public ushort Columns;
    public ushort XPixels;
    public ushort YPixels;
}
