using System.Buffers.Binary;
using System.Text;

namespace Lucid.Fuzz;

/// <summary>How harnesses cut one input into the pieces they feed: messages, strings, text.</summary>
public static class FuzzInput
{
    /// <summary>At most this many messages are taken from one input (a cap on each run's work, not a protocol rule).</summary>
    public const int MaxMessages = 64;

    /// <summary>
    /// The input as SSH messages, each an SSH string (uint32 length, then the payload) as the corpus recorder writes
    /// them. A length running past the end takes what is left, so a mutated length still yields a message; empty
    /// payloads are skipped (no transport hands one up).
    /// </summary>
    public static List<byte[]> Messages(ReadOnlySpan<byte> data)
    {
        var messages = new List<byte[]>();
        while (data.Length >= 4 && messages.Count < MaxMessages)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data);
            data = data[4..];
            int take = (int)Math.Min(length, (uint)data.Length);
            if (take > 0)
                messages.Add(data[..take].ToArray());
            data = data[take..];
        }
        return messages;
    }

    /// <summary>The inverse of <see cref="Messages"/>, for the recorder and for tests.</summary>
    public static byte[] Frame(IEnumerable<byte[]> messages)
    {
        using var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var message in messages)
        {
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)message.Length);
            output.Write(length);
            output.Write(message);
        }
        return output.ToArray();
    }

    /// <summary>Text files are read the way the product reads them: UTF-8, invalid bytes replaced.</summary>
    public static string Text(byte[] data) => Encoding.UTF8.GetString(data);
}
