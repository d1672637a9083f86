using System.Runtime.InteropServices;

namespace Volt.Cli;

/// <summary>
/// SIGTERM and SIGINT for a server command (<see cref="IServerCommand"/>): the first cancels <see cref="Token"/> and the
/// server stops gracefully with no deadline of ours (systemd's TimeoutStopSec, or the operator's SIGKILL, is the
/// deadline). A second SIGINT is the impatient Ctrl+C: it is not cancelled, so the runtime's default ends the process.
/// A repeated SIGTERM changes nothing (a stop is already under way).
/// </summary>
internal sealed class ServerSignalScope : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration _term, _intr;
    private int _interrupts;

    private ServerSignalScope(CancellationToken outer)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(); });
        _intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            if (Interlocked.Increment(ref _interrupts) > 1) return;
            c.Cancel = true;
            Stop();
        });
    }

    public CancellationToken Token => _cts.Token;

    public static ServerSignalScope Install(CancellationToken outer) => new(outer);

    // Off the signal thread: the token's callbacks run the server's whole shutdown, which must not hold up the next signal.
    private void Stop() => ThreadPool.UnsafeQueueUserWorkItem(static cts => { try { cts.Cancel(); } catch (ObjectDisposedException) { } }, _cts, preferLocal: false);

    public void Dispose()
    {
        _term.Dispose();
        _intr.Dispose();
        _cts.Dispose();
    }
}
