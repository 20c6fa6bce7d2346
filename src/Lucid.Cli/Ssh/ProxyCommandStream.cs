using System.Diagnostics;

namespace Lucid.Cli.Ssh;

/// <summary>
/// ProxyCommand: the connection is a command's stdin and stdout (run by $SHELL as OpenSSH does, with "exec"
/// so the shell does not linger). Its tokens are expanded by the effective configuration first.
/// </summary>
internal sealed class ProxyCommandStream : Stream
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;

    private ProxyCommandStream(Process process)
    {
        _process = process;
        _input = process.StandardOutput.BaseStream;
        _output = process.StandardInput.BaseStream;
    }

    public static ProxyCommandStream Start(string command)
    {
        // Like OpenSSH: the user's $SHELL, else /bin/sh.
        var shell = Environment.GetEnvironmentVariable("SHELL") is { Length: > 0 } s ? s : "/bin/sh";
        var info = new ProcessStartInfo(shell)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false, // the proxy's own messages reach the user's terminal, as with OpenSSH
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec " + command);
        var process = Process.Start(info) ?? throw new SshFatalException($"ssh: proxy command failed to start: {command}");
        return new ProxyCommandStream(process);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => Quietly(_output.Flush);
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Quietly(_output.Flush);
        return Task.CompletedTask;
    }

    /// <summary>A write to a proxy that has gone away is not the error to report: the read side then sees the
    /// closed connection, which is what OpenSSH names.</summary>
    private static void Quietly(Action write)
    {
        try
        {
            write();
        }
        catch (IOException)
        {
        }
    }
    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _input.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count)
    {
        Quietly(() =>
        {
            _output.Write(buffer, offset, count);
            _output.Flush();
        });
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await _output.WriteAsync(buffer, cancellationToken);
            await _output.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // The proxy is gone; the read side reports it as the closed connection OpenSSH names.
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _output.Dispose();
                if (!_process.WaitForExit(1000))
                    _process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
            }
            _process.Dispose();
        }
        base.Dispose(disposing);
    }
}
