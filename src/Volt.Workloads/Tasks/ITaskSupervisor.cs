namespace Volt.Workloads.Tasks;

/// <summary>
/// Who runs a task's timer: voltd's <see cref="TaskTimers"/> (through its API) where systemd is not PID 1, systemd's
/// own timer otherwise. The unit pair on disk is the same for both.
/// </summary>
public interface ITaskSupervisor
{
    /// <summary>Arms (or re-arms, or disarms when disabled) the task's timer from its units and state: after create, enable, disable.</summary>
    Task LoadAsync(string name, CancellationToken ct);

    /// <summary>Runs the task's service now and returns its record once it ended.</summary>
    Task<TaskRun> RunAsync(string name, CancellationToken ct);

    /// <summary>Ends the timer and stops a run in progress (before delete).</summary>
    Task RemoveAsync(string name, CancellationToken ct);
}
