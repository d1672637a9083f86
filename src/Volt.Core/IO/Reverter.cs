namespace Volt.Core.IO;

/// <summary>
/// Undo stack for multi-step host changes: register an undo after each step, <see cref="Commit"/> at the
/// end; disposing an uncommitted reverter runs the undos in reverse order (Incus <c>shared/revert</c>).
/// </summary>
public sealed class Reverter : IDisposable
{
    private readonly Stack<(string What, Action Undo)> _undos = new();
    private bool _committed;

    public List<string> Failures { get; } = [];

    public void Add(string what, Action undo) => _undos.Push((what, undo));

    public void Commit() => _committed = true;

    public void Dispose()
    {
        if (_committed) return;
        while (_undos.TryPop(out var step))
        {
            try { step.Undo(); }
            catch (Exception e) { Failures.Add($"undo {step.What}: {e.Message}"); }
        }
    }
}
