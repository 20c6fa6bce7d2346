using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lucid.Ssh.Agent;

/// <summary>
/// The agent protocol's framing, shared by client and server: uint32 length, then that many bytes (a message
/// number and its fields). A length above <see cref="AgentMessage.MaxMessageLength"/> or zero is refused before
/// anything is allocated for it, as OpenSSH's agent and authfd.c refuse it.
/// </summary>
internal static class AgentFraming
{
    /// <summary>The next message, or null when the stream ended cleanly between messages.</summary>
    /// <exception cref="SshAgentFramingException">Too long, empty, or cut off mid-message.</exception>
    public static async ValueTask<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        int got = await ReadAtMostAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < header.Length)
            throw new SshAgentFramingException("truncated message length");
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > AgentMessage.MaxMessageLength)
            throw new SshAgentFramingException($"message too long {length} > {AgentMessage.MaxMessageLength}");
        if (length == 0)
            throw new SshAgentFramingException("empty message");
        var body = new byte[length];
        if (await ReadAtMostAsync(stream, body, cancellationToken).ConfigureAwait(false) < body.Length)
        {
            CryptographicOperations.ZeroMemory(body);
            throw new SshAgentFramingException("truncated message");
        }
        return body;
    }

    /// <summary>Writes one message (its body; the length is added here) and flushes.</summary>
    public static async ValueTask WriteAsync(Stream stream, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame.AsMemory(4));
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Add requests carry private keys; the copy must not outlive the write.
            CryptographicOperations.ZeroMemory(frame);
        }
    }

    private static async ValueTask<int> ReadAtMostAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }
}

/// <summary>A frame the agent protocol does not allow; the connection that sent it is closed.</summary>
internal sealed class SshAgentFramingException(string message) : IOException(message);
