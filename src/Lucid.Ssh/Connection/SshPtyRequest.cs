using Lucid.Ssh.Wire;

namespace Lucid.Ssh.Connection;

/// <summary>pty-req (RFC 4254 section 6.2): terminal type, size in characters and pixels, terminal modes.</summary>
public sealed record SshPtyRequest(string Term, uint Columns, uint Rows, uint WidthPixels = 0, uint HeightPixels = 0)
{
    public SshTerminalModes Modes { get; init; } = SshTerminalModes.Empty;

    internal byte[] Encode()
    {
        using var writer = new SshWriter(64);
        writer.WriteString(Term).WriteUInt32(Columns).WriteUInt32(Rows).WriteUInt32(WidthPixels).WriteUInt32(HeightPixels)
            .WriteString(Modes.Encode());
        return writer.ToArray();
    }

    /// <summary>Parses the request-specific data of a pty-req (server side).</summary>
    public static SshPtyRequest Decode(ReadOnlySpan<byte> data)
    {
        var reader = new SshReader(data);
        string term = reader.ReadUtf8String();
        uint columns = reader.ReadUInt32(), rows = reader.ReadUInt32(), width = reader.ReadUInt32(), height = reader.ReadUInt32();
        var modes = SshTerminalModes.Decode(reader.ReadString());
        reader.EnsureAtEnd();
        return new SshPtyRequest(term, columns, rows, width, height) { Modes = modes };
    }
}

/// <summary>window-change (RFC 4254 section 6.7).</summary>
public readonly record struct SshWindowSize(uint Columns, uint Rows, uint WidthPixels = 0, uint HeightPixels = 0)
{
    public static SshWindowSize Decode(ReadOnlySpan<byte> data)
    {
        var reader = new SshReader(data);
        var size = new SshWindowSize(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32());
        reader.EnsureAtEnd();
        return size;
    }
}
