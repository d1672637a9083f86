using System.Runtime.InteropServices;
using Volt.Core.Errors;
using Volt.Core.Native;

namespace Volt.Workloads.Runtime;

/// <summary>
/// A pseudo-terminal from a container's own devpts instance (its <c>/dev/pts/ptmx</c>, opened through
/// <c>/proc/PID/root</c>): inside the container the slave is a real <c>/dev/pts/N</c>, as with <c>run -it</c>, where
/// nspawn does the same for PID 1.
/// </summary>
internal sealed partial class Pty : IDisposable
{
    private const int O_RDWR = 2, O_NOCTTY = 0x100, O_CLOEXEC = 0x80000;
    private const nuint TIOCSPTLCK = 0x40045431, TIOCGPTN = 0x80045430, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;

    private Pty(int master, string slavePath) { Master = master; SlavePath = slavePath; }

    public int Master { get; private set; }
    public string SlavePath { get; }

    public static Pty OpenIn(string devpts)
    {
        var fd = LibC.open(devpts + "/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) throw Fail($"cannot open {devpts}/ptmx");
        int unlock = 0, n = 0;
        if (LibC.ioctl(fd, TIOCSPTLCK, ref unlock) != 0 || LibC.ioctl(fd, TIOCGPTN, ref n) != 0)
        {
            var e = Fail("cannot unlock the pty");
            LibC.close(fd);
            throw e;
        }
        var pty = new Pty(fd, $"{devpts}/{n}");
        pty.CopyWindowSize();
        return pty;
    }

    /// <summary>The caller's terminal size (stdin or stdout) onto the pty, when there is one.</summary>
    public void CopyWindowSize()
    {
        var ws = new LibC.WinSize();
        if (LibC.ioctl(0, TIOCGWINSZ, ref ws) == 0 || LibC.ioctl(1, TIOCGWINSZ, ref ws) == 0) LibC.ioctl(Master, TIOCSWINSZ, ref ws);
    }

    public void Dispose()
    {
        if (Master >= 0) LibC.close(Master);
        Master = -1;
    }

    private static VoltException Fail(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new VoltException(ExitCode.General, $"exec -t: {what}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }
}

/// <summary>
/// Copies the pty's output to our stdout and (with <c>-i</c>) our stdin to the pty, our terminal in raw mode meanwhile
/// (so Ctrl+C and the rest reach the container's process), window-size changes forwarded.
/// </summary>
internal sealed unsafe partial class PtyRelay : IDisposable
{
    private const short POLLIN = 1;
    private const int TCSANOW = 0, EINTR = 4, EAGAIN = 11;
    private readonly Pty _pty;
    private readonly Thread _out;
    private readonly Thread? _in;
    private readonly byte[]? _savedTermios;
    private readonly PosixSignalRegistration? _winch;
    private volatile bool _exited, _stop;

    public PtyRelay(Pty pty, bool interactive)
    {
        _pty = pty;
        if (interactive && LibC.isatty(0) == 1)
        {
            var saved = new byte[128];
            fixed (byte* t = saved)
                if (LibC.tcgetattr(0, t) == 0)
                {
                    var raw = (byte[])saved.Clone();
                    fixed (byte* r = raw) { LibC.cfmakeraw(r); LibC.tcsetattr(0, TCSANOW, r); }
                    _savedTermios = saved;
                }
        }
        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => _pty.CopyWindowSize());
        _out = new Thread(CopyOut) { IsBackground = true, Name = "pty-out" };
        _out.Start();
        if (interactive)
        {
            _in = new Thread(CopyIn) { IsBackground = true, Name = "pty-in" };
            _in.Start();
        }
    }

    /// <summary>After the process exited: the rest of its output, then stop.</summary>
    public void Drain()
    {
        _exited = true;
        _out.Join();
    }

    public void Dispose()
    {
        _stop = true;
        _exited = true;
        _winch?.Dispose();
        if (_savedTermios is { } t) fixed (byte* p = t) LibC.tcsetattr(0, TCSANOW, p);
    }

    private void CopyOut()
    {
        var buf = new byte[16 * 1024];
        while (!_stop)
        {
            // Once the process is gone, whatever is still buffered is read without waiting; then done.
            var ready = Poll(_pty.Master, _exited ? 0 : 100);
            if (ready == 0) { if (_exited) return; continue; }
            if (ready < 0) { if (Marshal.GetLastPInvokeError() == EINTR) continue; return; }
            int n;
            fixed (byte* b = buf) n = (int)LibC.read(_pty.Master, b, (nuint)buf.Length);
            if (n <= 0) { if (n < 0 && Marshal.GetLastPInvokeError() is EINTR or EAGAIN) continue; return; } // EIO: no slave left
            WriteAll(1, buf, n);
        }
    }

    private void CopyIn()
    {
        var buf = new byte[4096];
        while (!_exited)
        {
            var ready = Poll(0, 100);
            if (ready == 0) continue;
            if (ready < 0) { if (Marshal.GetLastPInvokeError() == EINTR) continue; return; }
            int n;
            fixed (byte* b = buf) n = (int)LibC.read(0, b, (nuint)buf.Length);
            if (n < 0 && Marshal.GetLastPInvokeError() == EINTR) continue;
            if (n <= 0)
            {
                // Our stdin ended (not a terminal): end-of-file for a reader on the pty, as a typed Ctrl+D.
                buf[0] = 4;
                WriteAll(_pty.Master, buf, 1);
                return;
            }
            WriteAll(_pty.Master, buf, n);
        }
    }

    private static void WriteAll(int fd, byte[] buf, int count)
    {
        var done = 0;
        while (done < count)
        {
            nint w;
            fixed (byte* b = buf) w = LibC.write(fd, b + done, (nuint)(count - done));
            if (w < 0) { if (Marshal.GetLastPInvokeError() == EINTR) continue; return; }
            done += (int)w;
        }
    }

    private static int Poll(int fd, int timeoutMs)
    {
        var p = new LibC.PollFd { Fd = fd, Events = POLLIN };
        return LibC.poll(&p, 1, timeoutMs);
    }
}
