using System.Runtime.ExceptionServices;
using Volt.Core.Native;

namespace Volt.Network.Netlink;

/// <summary>
/// Runs code in another network namespace without a process: a dedicated thread <c>setns(CLONE_NEWNET)</c>s into it
/// (or <c>unshare</c>s a new one), runs the body and ends, so no other thread of the process ever changes namespace.
/// What the body opens there (netlink sockets, <c>/proc/sys/net</c> files) stays in that namespace after the thread is gone.
/// </summary>
internal static class NetnsThread
{
    private const int O_RDONLY = 0, O_CLOEXEC = 0x80000;

    /// <summary>Runs <paramref name="body"/> in the namespace file <paramref name="netnsPath"/> (<c>/run/netns/X</c>,
    /// <c>/proc/PID/ns/net</c>); null: on the calling thread, in the process's own namespace.</summary>
    public static T Run<T>(string? netnsPath, Func<T> body) =>
        netnsPath is null ? body() : OnThread(() => { Enter(netnsPath); return body(); });

    /// <summary>Runs <paramref name="body"/> on a thread of its own (the body may <c>unshare</c>: nothing else is affected).</summary>
    public static T OnThread<T>(Func<T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var t = new Thread(() =>
        {
            try { result = body(); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }, 256 * 1024) { IsBackground = true, Name = "volt-netns" };
        t.Start();
        t.Join();
        error?.Throw();
        return result;
    }

    /// <summary>Opens a namespace file for <c>IFLA_NET_NS_FD</c> (the caller closes it).</summary>
    public static int OpenNetns(string netnsPath)
    {
        var fd = LibC.open(netnsPath, O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw new NetlinkException(LibC.Errno, $"opening network namespace {netnsPath}: {LibC.Describe(LibC.Errno)}");
        return fd;
    }

    private static void Enter(string netnsPath)
    {
        var fd = OpenNetns(netnsPath);
        try
        {
            if (LibC.setns(fd, LibC.CLONE_NEWNET) != 0)
                throw new NetlinkException(LibC.Errno, $"entering network namespace {netnsPath}: {LibC.Describe(LibC.Errno)}");
        }
        finally { LibC.close(fd); }
    }
}
