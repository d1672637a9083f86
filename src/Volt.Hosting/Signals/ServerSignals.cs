using System.Runtime.InteropServices;
using Volt.Core.Processes;

namespace Volt.Hosting.Signals;

/// <summary>
/// The seed's signal table for a Volt server (voltd, <c>registry serve</c>, <c>gitops serve</c>, later ones):
/// SIGUSR1 writes a thread and state dump to the server's log without stopping it (<see cref="ThreadDump"/>);
/// SIGUSR2 reopens its log files (<see cref="StdioReopener"/>, plus the server's own files through
/// <see cref="ServerSignalHandlers.ReopenLogs"/>); SIGHUP reloads its configuration and logs the outcome;
/// SIGTERM/SIGINT are the caller's (each server drains and stops in its own order).
/// </summary>
public sealed class ServerSignals : IDisposable
{
    public const int SIGUSR1 = 10, SIGUSR2 = 12;

    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly ServerSignalHandlers _h;
    private readonly StdioReopener _stdio = new();
    private readonly SemaphoreSlim _dumping = new(1, 1);

    private ServerSignals(ServerSignalHandlers handlers)
    {
        _h = handlers;
        _registrations.Add(PosixSignalRegistration.Create((PosixSignal)SIGUSR1, c => { c.Cancel = true; _ = Task.Run(DumpAsync); }));
        _registrations.Add(PosixSignalRegistration.Create((PosixSignal)SIGUSR2, c => { c.Cancel = true; Reopen(); }));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Reload(); }));
    }

    public static ServerSignals Install(ServerSignalHandlers handlers) => new(handlers);

    /// <summary>What SIGUSR1 does (also callable directly).</summary>
    public async Task DumpAsync()
    {
        if (!await _dumping.WaitAsync(0).ConfigureAwait(false)) return; // one dump at a time; a second signal meanwhile is the same request
        try
        {
            string state;
            try { state = _h.State(); }
            catch (Exception e) { state = $"(state unavailable: {e.Message})"; }
            _h.Write(await ThreadDump.CaptureAsync(_h.Server, state, _h.Processes).ConfigureAwait(false));
        }
        catch (Exception e) { _h.Write($"{_h.Server}: SIGUSR1 dump failed: {e.Message}"); }
        finally { _dumping.Release(); }
    }

    /// <summary>What SIGUSR2 does.</summary>
    public void Reopen()
    {
        try
        {
            _stdio.Reopen();
            _h.ReopenLogs?.Invoke();
            _h.Write($"{_h.Server}: log files reopened (SIGUSR2){(_stdio.Files.Count > 0 ? ": " + string.Join(", ", _stdio.Files) : "")}");
        }
        catch (Exception e) { _h.Write($"{_h.Server}: SIGUSR2 could not reopen the log files: {e.Message}"); }
    }

    private void Reload()
    {
        if (_h.Reload is null) { _h.Write($"{_h.Server}: SIGHUP: nothing to reload"); return; }
        try { _h.Write($"{_h.Server}: configuration reloaded (SIGHUP): {_h.Reload()}"); }
        catch (Exception e) { _h.Write($"{_h.Server}: SIGHUP reload failed, the running configuration is kept: {Core.IO.RevertReport.MessageOf(e)}"); }
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _registrations.Clear();
    }
}

/// <summary>What a server gives <see cref="ServerSignals"/>.</summary>
public sealed class ServerSignalHandlers
{
    /// <summary>The server's name in log lines (<c>voltd</c>, <c>registry</c>).</summary>
    public required string Server { get; init; }
    /// <summary>Writes one (possibly multi-line) entry to the server's log.</summary>
    public required Action<string> Write { get; init; }
    /// <summary>The state summary for SIGUSR1: workloads, open connections, queue depths.</summary>
    public required Func<string> State { get; init; }
    public IProcessRunner Processes { get; init; } = new ProcessRunner();
    /// <summary>The server's own log files to reopen on SIGUSR2 (stdio is reopened always).</summary>
    public Action? ReopenLogs { get; init; }
    /// <summary>SIGHUP: reloads and says what changed (throws to keep the running configuration); null: nothing to reload.</summary>
    public Func<string>? Reload { get; init; }
}
