using System.Text;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Units;
using Volt.Units.Calendar;
using Volt.Workloads.Services;

namespace Volt.Workloads.Tasks;

/// <summary>
/// Tasks for the CLI: create (validate everything, then write the unit pair in one durable batch), read them back for
/// list/history/ps, enable/disable, delete. Who runs the timer is the <see cref="ITaskSupervisor"/>'s business.
/// </summary>
public sealed class TaskEngine(TaskStore store, TimeProvider time)
{
    public TaskStore Store => store;

    /// <summary>
    /// Checks name (2), schedule (2, in systemd's words), command (3, named), duplicate (4) before anything is
    /// written; then writes the timer and the service.
    /// </summary>
    public void Create(TaskSpec spec, string path)
    {
        TaskName.Validate(spec.Name);
        var schedule = CalendarSpec.Parse(spec.Schedule);
        if (spec.Command.Count == 0) throw VoltException.Usage("a task needs a command: volt task create NAME --schedule CALENDAR -- COMMAND [ARGS...]");
        foreach (var kv in spec.Env ?? [])
            if (kv.IndexOf('=') <= 0) throw VoltException.Usage($"invalid --env \"{kv}\": expected KEY=VALUE");
        if (spec.Timeout is { } t && t <= TimeSpan.Zero) throw VoltException.Usage("--timeout must be more than 0");
        var executable = ExecutableLookup.Require(spec.Command[0], path);
        if (spec.Workdir is { } w && !Directory.Exists(w)) throw VoltException.NotFound($"working directory \"{w}\" not found");
        if (store.Exists(spec.Name) || File.Exists(store.ServiceFile(spec.Name)))
            throw VoltException.Exists($"task \"{spec.Name}\" already exists");

        var timer = TaskUnits.Timer(spec, schedule);
        var service = TaskUnits.Service(spec, executable);
        using var _ = store.Lock(spec.Name);
        if (store.Exists(spec.Name)) throw VoltException.Exists($"task \"{spec.Name}\" already exists");
        store.DeleteRecords(spec.Name); // what a killed delete may have left
        // The service first: a timer file is what makes the task exist, and it must never point at nothing.
        AtomicFile.WriteAll([(store.ServiceFile(spec.Name), Encoding.UTF8.GetBytes(service.Render())),
            (store.TimerFile(spec.Name), Encoding.UTF8.GetBytes(timer.Render()))]);
    }

    public IReadOnlyList<TaskView> List() => [.. store.Names().Select(TryView).OfType<TaskView>()];

    public TaskView View(string name)
    {
        store.EnsureExists(name);
        return TryView(name) ?? throw VoltException.NotFound($"task \"{name}\" not found");
    }

    /// <summary>Stores the enabled flag (what voltd's timer and <c>list</c> read; systemd is told by the supervisor).</summary>
    public void SetEnabled(string name, bool enabled)
    {
        store.EnsureExists(name);
        using var _ = store.Lock(name);
        store.Save(name, store.State(name) with { Enabled = enabled, NextElapse = enabled ? store.State(name).NextElapse : null });
    }

    /// <summary>Removes the unit pair (timer first: the task stops existing at once), then its records and log.</summary>
    public void Delete(string name)
    {
        store.EnsureExists(name);
        AtomicFile.TryDelete(store.TimerFile(name));
        AtomicFile.TryDelete(store.ServiceFile(name));
        store.DeleteRecords(name);
    }

    private TaskView? TryView(string name)
    {
        var def = UnitTaskDefinitions.TryLoad(store, name, out var timer, out var service);
        if (def is null || timer is null || service is null) return null;
        var state = store.State(name);
        var last = store.History(name).LastOrDefault(r => r.Result != TaskResult.SkippedOverlap) ?? store.History(name).LastOrDefault();
        DateTimeOffset? next = null;
        if (state.Enabled)
        {
            var now = time.GetUtcNow();
            // What the running timer armed; else (voltd down, or it armed a time now past) computed the same way.
            next = state.NextElapse is { } armed && armed >= now ? armed
                : def.Schedule.NextElapse(new ScheduleTimes(now, BootTime.Get(), state.LastTrigger, now, last?.Start));
        }
        var exec = service.ExecStart.LastOrDefault();
        return new TaskView(name, def.ScheduleText, def.Schedule.Persistent, state.Enabled, def.Timeout,
            exec is null ? [] : [exec.Path, .. exec.Args], last, next);
    }
}
