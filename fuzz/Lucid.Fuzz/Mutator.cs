using System.Buffers.Binary;

namespace Lucid.Fuzz;

/// <summary>
/// A seeded mutator over a corpus, for the in-process runs (CI and long local runs): each input is a corpus entry
/// changed by one to four edits — bit flips, byte sets, SSH length fields set to boundary values, inserted, deleted
/// or duplicated ranges, splices with another entry, truncation. The same seed gives the same inputs.
/// </summary>
public sealed class Mutator(IReadOnlyList<byte[]> corpus, int seed)
{
    private static readonly uint[] InterestingLengths = [0, 1, 2, 3, 4, 7, 8, 16, 32, 64, 127, 128, 255, 256, 1024, 4096, 32768, 65535, 65536,
        0x3fffffff, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

    private static readonly byte[][] Tokens = new[] { " ", "\n", "\t", "=", ",", "\"", "*", "!", "%", "$", "~", "#", "\\", "[", "]", ":", "@",
        "-----", "0", "-1", "9999999999", "AAAA", "==", "none", "yes", "no", "Match", "Host", "Include", "ssh-rsa", "ssh-ed25519",
        "ecdsa-sha2-nistp256", "-cert-v01@openssh.com", "\u00e9", "\0" }.Select(t => System.Text.Encoding.UTF8.GetBytes(t)).ToArray();

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        var data = new List<byte>(corpus.Count == 0 ? [] : corpus[_random.Next(corpus.Count)]);
        int edits = 1 + _random.Next(4);
        for (int i = 0; i < edits; i++)
            Edit(data);
        return [.. data];
    }

    private void Edit(List<byte> data)
    {
        int position = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(data.Count == 0 ? 2 : 11))
        {
            case 0:
                data.InsertRange(position, RandomBytes(1 + _random.Next(8)));
                break;
            case 1:
                data.InsertRange(position, Tokens[_random.Next(Tokens.Length)]);
                break;
            case 2:
                data[position] ^= (byte)(1 << _random.Next(8));
                break;
            case 3:
                data[position] = (byte)_random.Next(256);
                break;
            case 4:
                data[position] = (byte)(_random.Next(2) == 0 ? 0 : 0xff);
                break;
            case 5:
            {
                // An SSH length or count field: big-endian uint32 at any offset (fields are not aligned).
                if (data.Count < 4)
                    goto case 3;
                position = _random.Next(data.Count - 3);
                uint current = BinaryPrimitives.ReadUInt32BigEndian(SpanOf(data, position, 4));
                uint value = _random.Next(3) switch
                {
                    0 => InterestingLengths[_random.Next(InterestingLengths.Length)],
                    1 => current + 1,
                    _ => current - 1,
                };
                Span<byte> bytes = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
                for (int i = 0; i < 4; i++)
                    data[position + i] = bytes[i];
                break;
            }
            case 6:
                data.RemoveRange(position, Math.Min(data.Count - position, 1 + _random.Next(_random.Next(2) == 0 ? 4 : 64)));
                break;
            case 7:
            {
                int length = Math.Min(data.Count - position, 1 + _random.Next(64));
                var copy = data.GetRange(position, length);
                data.InsertRange(_random.Next(data.Count + 1), copy);
                break;
            }
            case 8:
            {
                if (corpus.Count == 0)
                    goto case 3;
                var other = corpus[_random.Next(corpus.Count)];
                if (other.Length == 0)
                    goto case 3;
                int start = _random.Next(other.Length);
                int length = Math.Min(other.Length - start, 1 + _random.Next(256));
                data.InsertRange(position, other.AsSpan(start, length).ToArray());
                break;
            }
            case 9:
                data.RemoveRange(position, data.Count - position);
                break;
            default:
                // Several random bytes in a row (a scrambled field).
                for (int i = position; i < Math.Min(data.Count, position + 1 + _random.Next(16)); i++)
                    data[i] = (byte)_random.Next(256);
                break;
        }
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] SpanOf(List<byte> data, int start, int length) => data.GetRange(start, length).ToArray();
}
