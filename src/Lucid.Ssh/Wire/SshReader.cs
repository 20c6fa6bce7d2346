using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Lucid.Ssh.Wire;

/// <summary>
/// Reads the SSH data types of RFC 4251 section 5 from a span. Every length is checked before it is
/// trusted; running out of data or a malformed value throws <see cref="SshProtocolException"/>.
/// </summary>
public ref struct SshReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public SshReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _data.Length - _position;
    public readonly bool IsAtEnd => _position == _data.Length;
    public readonly ReadOnlySpan<byte> RemainingSpan => _data[_position..];

    public byte ReadByte() => Take(1)[0];

    public bool ReadBoolean() => ReadByte() != 0;

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    /// <summary>A length-prefixed byte string, returned without copying.</summary>
    public ReadOnlySpan<byte> ReadString()
    {
        uint length = ReadUInt32();
        if (length > (uint)Remaining)
            throw new SshProtocolException($"string length {length} exceeds the {Remaining} bytes remaining");
        return Take((int)length);
    }

    /// <summary>A length-prefixed string decoded as UTF-8; invalid UTF-8 is an error, not replaced.</summary>
    public string ReadUtf8String()
    {
        var bytes = ReadString();
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new SshProtocolException("string is not valid UTF-8");
        }
    }

    /// <summary>
    /// An mpint as its raw two's-complement big-endian bytes. Negative values are refused because no
    /// SSH algorithm uses them; a redundant leading zero is refused as RFC 4251 requires.
    /// </summary>
    public ReadOnlySpan<byte> ReadMPIntBytes()
    {
        var bytes = ReadString();
        if (bytes.Length > 0)
        {
            if ((bytes[0] & 0x80) != 0)
                throw new SshProtocolException("negative mpint");
            if (bytes[0] == 0 && (bytes.Length == 1 || (bytes[1] & 0x80) == 0))
                throw new SshProtocolException("mpint has an unnecessary leading zero");
        }
        return bytes;
    }

    /// <summary>An mpint as an unsigned big-endian magnitude (the sign byte, if any, dropped).</summary>
    public ReadOnlySpan<byte> ReadMPIntMagnitude()
    {
        var bytes = ReadMPIntBytes();
        return bytes.Length > 0 && bytes[0] == 0 ? bytes[1..] : bytes;
    }

    public BigInteger ReadMPInt() => new(ReadMPIntBytes(), isUnsigned: false, isBigEndian: true);

    /// <summary>A comma-separated list of names (US-ASCII, no empty names).</summary>
    public string[] ReadNameList()
    {
        var bytes = ReadString();
        if (bytes.IsEmpty)
            return [];
        foreach (byte b in bytes)
        {
            if (b < 0x21 || b > 0x7e)
                throw new SshProtocolException("name-list contains a character outside printable US-ASCII");
        }
        var names = Encoding.ASCII.GetString(bytes).Split(',');
        if (Array.Exists(names, n => n.Length == 0))
            throw new SshProtocolException("name-list contains an empty name");
        return names;
    }

    /// <summary>Exactly <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    /// <summary>Throws unless every byte has been consumed; catches trailing garbage.</summary>
    public readonly void EnsureAtEnd()
    {
        if (!IsAtEnd)
            throw new SshProtocolException($"{Remaining} unexpected trailing bytes");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
            throw new SshProtocolException($"message truncated: needed {count} bytes, {Remaining} remain");
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
