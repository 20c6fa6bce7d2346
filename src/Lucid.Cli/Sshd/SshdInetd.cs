using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;
using Lucid.Cli.Platform;
using Lucid.Ssh.Server;
using Microsoft.Win32.SafeHandles;

namespace Lucid.Cli.Sshd;

/// <summary>
/// sshd -i: one connection, already open on stdin and stdout, served as any other, then exit. inetd (or systemd's
/// Accept=yes) passes a TCP socket, whose addresses the log and Match use; ssh's ProxyCommand passes two pipes,
/// which have none (sshd's "UNKNOWN port 65535").
/// </summary>
internal static class SshdInetd
{
    private static readonly ServerClientInfo Unknown = new("UNKNOWN", 65535, "UNKNOWN", 65535);

    public static async Task<int> ServeAsync(SshServer server)
    {
        var (stream, client) = Open();
        await server.HandleConnectionAsync(stream, client);
        return 0;
    }

    private static (Stream Stream, ServerClientInfo Client) Open()
    {
        if (SocketOnStdin() is { } socket)
        {
            var client = socket.RemoteEndPoint is IPEndPoint remote && socket.LocalEndPoint is IPEndPoint local
                ? new ServerClientInfo(Plain(remote.Address), remote.Port, Plain(local.Address), local.Port)
                : Unknown;
            return (new NetworkStream(socket, ownsSocket: true), client);
        }
        return (new InetdPipeStream(Open(Libc.STDIN_FILENO, PipeDirection.In), Open(Libc.STDOUT_FILENO, PipeDirection.Out)), Unknown);
    }

    private static Socket? SocketOnStdin()
    {
        try
        {
            var socket = new Socket(new SafeSocketHandle(Libc.STDIN_FILENO, ownsHandle: false));
            return socket.SocketType == SocketType.Stream ? socket : null;
        }
        catch (SocketException)
        {
            return null; // not a socket (ENOTSOCK)
        }
    }

    private static string Plain(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    /// <summary>
    /// A pipe through the runtime's event loop (no thread blocked per direction); anything else (a terminal, a file)
    /// with plain read(2) and write(2).
    /// </summary>
    private static Stream Open(int fd, PipeDirection direction)
    {
        try
        {
            return new AnonymousPipeClientStream(direction, new SafePipeHandle(fd, ownsHandle: false));
        }
        catch (IOException)
        {
            return new DescriptorStream(fd, direction == PipeDirection.In ? FileAccess.Read : FileAccess.Write);
        }
    }

    /// <summary>stdin and stdout as one connection.</summary>
    private sealed class InetdPipeStream(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            input.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            output.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Flush() => output.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                output.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
