using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Volt.Core.IO;

/// <summary>
/// Undo stack for multi-step host changes (Incus <c>shared/revert</c>): register an undo after each step,
/// <see cref="Commit"/> at the end. An uncommitted reverter runs the undos in reverse order, each one even when an
/// earlier one failed; a failed undo is logged and kept in <see cref="Report"/>, never swallowed.
/// </summary>
/// <remarks>
/// The shape every multi-step change uses, so that a failed undo reaches the user beside the error that caused it
/// (the CLI prints <c>Error: undo of "X" failed: …</c> under the first line):
/// <code>
/// await using var rev = new Reverter(log);
/// try
/// {
///     CreateBridge(); rev.Add("delete bridge", ct => DeleteBridgeAsync(ct));
///     …
///     rev.Commit();
/// }
/// catch (Exception e) { await rev.RevertAsync(e); throw; }
/// </code>
/// <see cref="RevertAsync"/> undoes at once (still inside any lock the caller holds) and attaches the
/// <see cref="RevertReport"/> to the exception. Disposing without either (an early return) undoes too, logging the
/// failures. Undo steps get <see cref="CancellationToken.None"/>: a cancelled change is still cleaned up.
/// </remarks>
public sealed partial class Reverter(ILogger? log = null) : IAsyncDisposable, IDisposable
{
    private readonly Stack<(string What, Func<CancellationToken, Task>? Async, Action? Sync)> _undos = new();
    private readonly List<UndoFailure> _failures = [];
    private readonly ILogger _log = log ?? NullLogger.Instance;
    private bool _done;

    /// <summary>The undos that failed so far (empty until the reverter undoes, and after a clean undo).</summary>
    public RevertReport Report => new([.. _failures]);

    public void Add(string what, Action undo) => _undos.Push((what, null, undo));

    public void Add(string what, Func<CancellationToken, Task> undo) => _undos.Push((what, undo, null));

    /// <summary>The change is complete: nothing is undone.</summary>
    public void Commit() => _done = true;

    /// <summary>
    /// Undoes every registered step now (newest first) and attaches the report to <paramref name="cause"/>
    /// (<see cref="RevertReport.Of"/>) when any undo failed. Call it in the catch block, then rethrow.
    /// </summary>
    public async Task RevertAsync(Exception cause)
    {
        await UndoAsync().ConfigureAwait(false);
        Attach(cause);
    }

    /// <summary><see cref="RevertAsync"/> for synchronous callers (async undos are waited for).</summary>
    public void Revert(Exception cause)
    {
        UndoAsync().GetAwaiter().GetResult();
        Attach(cause);
    }

    public async ValueTask DisposeAsync() => await UndoAsync().ConfigureAwait(false);

    /// <summary>Undoes synchronously (async undos are waited for): for callers that are synchronous themselves.</summary>
    public void Dispose() => UndoAsync().GetAwaiter().GetResult();

    private async Task UndoAsync()
    {
        if (_done) return;
        _done = true;
        while (_undos.TryPop(out var step))
        {
            try
            {
                if (step.Async is { } undo) await undo(CancellationToken.None).ConfigureAwait(false);
                else step.Sync!();
            }
            catch (Exception e)
            {
                _failures.Add(new UndoFailure(step.What, e));
                LogUndoFailed(_log, step.What, e);
            }
        }
    }

    private void Attach(Exception cause)
    {
        if (_failures.Count == 0) return;
        var report = RevertReport.Of(cause) is { } earlier ? new RevertReport([.. earlier.Failures, .. _failures]) : Report;
        cause.Data[RevertReport.DataKey] = report;
    }

    /// <summary>Runs <paramref name="body"/> under a reverter: committed when it returns, reverted (report attached) when it throws.</summary>
    public static async Task<T> RunAsync<T>(ILogger? log, Func<Reverter, Task<T>> body)
    {
        await using var rev = new Reverter(log);
        try
        {
            var result = await body(rev).ConfigureAwait(false);
            rev.Commit();
            return result;
        }
        catch (Exception e)
        {
            await rev.RevertAsync(e).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary><see cref="RunAsync{T}"/> for synchronous changes.</summary>
    public static T Run<T>(ILogger? log, Func<Reverter, T> body)
    {
        using var rev = new Reverter(log);
        try
        {
            var result = body(rev);
            rev.Commit();
            return result;
        }
        catch (Exception e)
        {
            rev.Revert(e);
            throw;
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Undo of \"{What}\" failed")]
    private static partial void LogUndoFailed(ILogger log, string what, Exception error);
}

/// <summary>One undo step that threw.</summary>
public sealed record UndoFailure(string What, Exception Error)
{
    public override string ToString() => $"undo of \"{What}\" failed: {Error.Message}";
}

/// <summary>The undos of a reverted change that failed: what is left on the host for the user to clean up.</summary>
public sealed record RevertReport(IReadOnlyList<UndoFailure> Failures)
{
    internal const string DataKey = "Volt.RevertReport";

    public bool Clean => Failures.Count == 0;

    /// <summary>One line per failed undo: <c>undo of "cgroup" failed: Device or resource busy</c>.</summary>
    public IEnumerable<string> Lines => Failures.Select(f => f.ToString());

    /// <summary>The report a <see cref="Reverter"/> attached to <paramref name="e"/> (or to an exception it wraps), if any.</summary>
    public static RevertReport? Of(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x.Data[DataKey] is RevertReport r) return r;
        return null;
    }

    /// <summary><paramref name="e"/>'s message with its failed undos appended (<c>…; undo of "X" failed: …</c>): for one-line channels.</summary>
    public static string MessageOf(Exception e) =>
        Of(e) is { Clean: false } r ? string.Join("; ", [e.Message, .. r.Lines]) : e.Message;
}
