using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Lucid.Ssh.Wire;

/// <summary>
/// Builds SSH data (RFC 4251 section 5) into a pooled, growable buffer. Dispose returns the buffer to
/// the pool after wiping it, because writers often hold key material.
/// </summary>
public sealed class SshWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _length;

    public SshWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
    }

    public int Length => _length;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Clear()
    {
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        _length = 0;
    }

    public SshWriter WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _length++;
        return this;
    }

    public SshWriter WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public SshWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(GetSpan(4), value);
        _length += 4;
        return this;
    }

    public SshWriter WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(GetSpan(8), value);
        _length += 8;
        return this;
    }

    public SshWriter WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
        return this;
    }

    public SshWriter WriteString(ReadOnlySpan<byte> bytes)
    {
        WriteUInt32((uint)bytes.Length);
        return WriteRaw(bytes);
    }

    public SshWriter WriteString(string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteUInt32((uint)byteCount);
        Encoding.UTF8.GetBytes(value, GetSpan(byteCount));
        _length += byteCount;
        return this;
    }

    /// <summary>An mpint from an unsigned big-endian magnitude: leading zeros stripped, a sign byte added if needed.</summary>
    public SshWriter WriteMPIntMagnitude(ReadOnlySpan<byte> magnitude)
    {
        int start = 0;
        while (start < magnitude.Length && magnitude[start] == 0)
            start++;
        var trimmed = magnitude[start..];
        bool needsSignByte = trimmed.Length > 0 && (trimmed[0] & 0x80) != 0;
        WriteUInt32((uint)(trimmed.Length + (needsSignByte ? 1 : 0)));
        if (needsSignByte)
            WriteByte(0);
        return WriteRaw(trimmed);
    }

    public SshWriter WriteMPInt(BigInteger value)
    {
        if (value.Sign == 0)
            return WriteUInt32(0);
        int length = value.GetByteCount(isUnsigned: false);
        WriteUInt32((uint)length);
        value.TryWriteBytes(GetSpan(length), out int written, isUnsigned: false, isBigEndian: true);
        _length += written;
        return this;
    }

    public SshWriter WriteNameList(IEnumerable<string> names) => WriteString(string.Join(',', names));

    public void Advance(int count)
    {
        if (count < 0 || _length + count > _buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(count));
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureCapacity(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
            return;
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }

    private void EnsureCapacity(int sizeHint)
    {
        int needed = _length + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
            return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
