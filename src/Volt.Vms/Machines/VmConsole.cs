using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Volt.Core.Errors;
using Volt.Core.Native;

namespace Volt.Vms.Machines;

/// <summary>
/// <c>volt vm console</c>: the terminal joined to the guest's serial console (console.sock), raw; Ctrl-] detaches
/// and leaves the VM running. The guest's output while nobody is attached is in serial.log.
/// </summary>
public static class VmConsole
{
    public const byte DetachKey = 0x1d; // Ctrl-]

    /// <summary>Copies stdin to the console and the console to stdout until Ctrl-], end of input, or the VM's exit.</summary>
    public static async Task AttachAsync(string socketPath, CancellationToken ct = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false); }
        catch (SocketException e) { throw VoltException.Conflict($"the VM is not running (console: {e.Message})"); }
        await using var vm = new NetworkStream(socket, ownsSocket: false);
        await using var stdin = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
        await using var stdout = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        var saved = RawMode();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var output = Task.Run(async () =>
            {
                var buf = new byte[4096];
                int n;
                while ((n = await vm.ReadAsync(buf, done.Token).ConfigureAwait(false)) > 0) await stdout.WriteAsync(buf.AsMemory(0, n), done.Token).ConfigureAwait(false);
            }, done.Token);
            var input = Task.Run(async () =>
            {
                var buf = new byte[1024];
                int n;
                while ((n = await stdin.ReadAsync(buf, done.Token).ConfigureAwait(false)) > 0)
                {
                    var at = Array.IndexOf(buf, DetachKey, 0, n);
                    if (at >= 0) { if (at > 0) await vm.WriteAsync(buf.AsMemory(0, at), done.Token).ConfigureAwait(false); return; }
                    await vm.WriteAsync(buf.AsMemory(0, n), done.Token).ConfigureAwait(false);
                }
            }, done.Token);
            await Task.WhenAny(output, input).ConfigureAwait(false);
            done.Cancel();
        }
        finally
        {
            if (saved is not null) Restore(saved);
        }
    }

    /// <summary>Puts a terminal stdin in raw mode; the saved settings, or null when stdin is no terminal.</summary>
    private static unsafe byte[]? RawMode()
    {
        if (LibC.isatty(0) != 1) return null;
        var saved = new byte[128];
        fixed (byte* t = saved)
            if (LibC.tcgetattr(0, t) != 0) return null;
        var raw = (byte[])saved.Clone();
        fixed (byte* r = raw) { LibC.cfmakeraw(r); LibC.tcsetattr(0, 0, r); }
        return saved;
    }

    private static unsafe void Restore(byte[] saved)
    {
        fixed (byte* t = saved) LibC.tcsetattr(0, 0, t);
    }
}
