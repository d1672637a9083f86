using Volt.Core.Errors;
using Volt.Units;

namespace Volt.Workloads.Tasks;

/// <summary>Task definitions from their unit pair in the units directory (the single truth on disk).</summary>
public sealed class UnitTaskDefinitions(TaskStore store) : ITaskDefinitions
{
    public IReadOnlyList<string> Names() => store.Names();

    public TaskDefinition? Load(string name) => TryLoad(store, name, out _, out _);

    /// <summary>The definition and its two units; null when the pair is incomplete. A broken unit throws (exit 12).</summary>
    public static TaskDefinition? TryLoad(TaskStore store, string name, out TimerUnit? timer, out ServiceUnit? service)
    {
        timer = null; service = null;
        if (!File.Exists(store.TimerFile(name)) || !File.Exists(store.ServiceFile(name))) return null;
        try
        {
            timer = TimerUnit.From(UnitFile.Load(store.TimerFile(name)));
            service = ServiceUnit.From(UnitFile.Load(store.ServiceFile(name)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        var text = string.Join("; ", timer.OnCalendar.Select(c => c.Normalized));
        return new TaskDefinition(name, new TimerUnitSchedule(timer), text.Length > 0 ? text : "-", service.TimeoutStartSec);
    }
}

/// <summary>A <c>[Timer]</c> section as the scheduler's <see cref="ITaskSchedule"/>: <c>TimerUnit.NextElapse(TimerState)</c>.</summary>
public sealed class TimerUnitSchedule(TimerUnit timer) : ITaskSchedule
{
    public bool Persistent => timer.Persistent;

    public DateTimeOffset? NextElapse(ScheduleTimes t) =>
        timer.NextElapse(new TimerState(t.Now, t.Boot, t.LastTrigger, t.Activated, t.LastActivation));
}
