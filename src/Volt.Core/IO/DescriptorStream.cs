using Volt.Core.Native;

namespace Volt.Core.IO;

/// <summary>
/// A write-only stream on an inherited descriptor (the CLI's stdout and stderr), written with write(2) as it is handed
/// over. What <see cref="Console.Out"/> is without its set-up: no terminal initialisation (terminfo, SIGCONT/SIGCHLD
/// handlers) and no charset lookup from <c>LANG</c> on every command's start (Volt writes UTF-8). Like .NET's console
/// stream, a reader that went away (<c>volt ps | head -1</c>: EPIPE) or a closed descriptor ends the output quietly
/// instead of failing the command; a non-blocking descriptor is waited on.
/// </summary>
public sealed unsafe class DescriptorStream(int fd) : Stream
{
    private const short POLLOUT = 4;
    private volatile bool _gone;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_gone) return;
        fixed (byte* p = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var n = LibC.write(fd, p + done, (nuint)(buffer.Length - done));
                if (n >= 0) { done += (int)n; continue; }
                var errno = LibC.Errno;
                if (errno == Errno.EINTR) continue;
                if (errno == Errno.EAGAIN)
                {
                    var pfd = new LibC.PollFd { Fd = fd, Events = POLLOUT };
                    LibC.poll(&pfd, 1, -1);
                    continue;
                }
                if (errno is Errno.EPIPE or Errno.EBADF) { _gone = true; return; }
                throw new IOException($"writing to descriptor {fd}: {LibC.Describe(errno)}", errno);
            }
        }
    }

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
