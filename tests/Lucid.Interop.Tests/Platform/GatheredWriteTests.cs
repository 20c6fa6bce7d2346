using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Lucid.Cli.Platform;
using Microsoft.Win32.SafeHandles;

namespace Lucid.Interop.Tests.Platform;

/// <summary>Libc's gathered writes (writev) of a multi-segment sequence: every byte, in order, and partial writes told apart.</summary>
public sealed class GatheredWriteTests
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, Segment? previous)
        {
            Memory = data;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }

    private static ReadOnlySequence<byte> Sequence(IReadOnlyList<byte[]> parts)
    {
        var first = new Segment(parts[0], null);
        var last = first;
        foreach (var part in parts.Skip(1))
            last = new Segment(part, last);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    [Fact]
    public async Task Write_all_sends_forty_segments_through_a_pipe_in_order()
    {
        // More segments than one writev takes (16), some empty, sizes that do not line up with the pipe's pages.
        var parts = Enumerable.Range(0, 40).Select(i => RandomNumberGenerator.GetBytes(i % 7 == 3 ? 0 : 1000 + i * 977)).ToList();
        var expected = parts.SelectMany(p => p).ToArray();
        var (read, write) = Spawn.Pipe();
        using var reader = new FileStream(new SafeFileHandle(read, ownsHandle: true), FileAccess.Read, 1);
        var received = Task.Run(() =>
        {
            using var all = new MemoryStream();
            reader.CopyTo(all);
            return all.ToArray();
        });
        try
        {
            Assert.True(Libc.WriteAll(write, Sequence(parts)));
        }
        finally
        {
            Spawn.Close(write);
        }
        Assert.Equal(Convert.ToHexString(SHA256.HashData(expected)), Convert.ToHexString(SHA256.HashData(await received)));
    }

    [Fact]
    public void A_full_non_blocking_pipe_takes_a_prefix_then_reports_EAGAIN()
    {
        var parts = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(40_000)).ToList();
        var (read, write) = Spawn.Pipe(); // 64 KiB by default: less than the 120,000 bytes offered
        try
        {
            Libc.MakeNonBlocking(write);
            var written = Libc.WriteGathered(write, Sequence(parts));
            Assert.InRange(written, 1, 65536);
            Assert.Equal(-1, Libc.WriteGathered(write, Sequence(parts)));
            Assert.Equal(Libc.EAGAIN, Marshal.GetLastPInvokeError());

            var buffer = new byte[written];
            using var reader = new FileStream(new SafeFileHandle(read, ownsHandle: false), FileAccess.Read, 1);
            reader.ReadExactly(buffer);
            Assert.Equal(parts.SelectMany(p => p).Take((int)written).ToArray(), buffer);
        }
        finally
        {
            Spawn.Close(write);
            Spawn.Close(read);
        }
    }
}
