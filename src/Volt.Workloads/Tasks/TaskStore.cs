using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Workloads.Model;

namespace Volt.Workloads.Tasks;

/// <summary>
/// Task records on disk. The unit pair is the definition (the single truth); the rest is what the scheduler learnt.
/// <code>
/// /var/lib/volt/units/volt-task-&lt;name&gt;.timer      [Timer] OnCalendar=… Persistent=… Unit=volt-task-&lt;name&gt;.service
/// /var/lib/volt/units/volt-task-&lt;name&gt;.service    [Service] Type=oneshot ExecStart=… TimeoutStartSec=…
/// /var/lib/volt/tasks/&lt;name&gt;/state.json           TaskState: last trigger, next elapse, enabled
/// /var/lib/volt/tasks/&lt;name&gt;/history.json         the last <see cref="HistoryLimit"/> runs (TaskRun), oldest first
/// /var/lib/volt/tasks/&lt;name&gt;/last.json            the newest run that ran, with history.json's stamp (TaskLastRun)
/// /var/log/volt/workloads/tasks/&lt;name&gt;.log        stdout+stderr of every run under voltd (stamped lines)
/// /var/run/volt/locks/task-&lt;name&gt;.lock             flock serialising history/state writes
/// </code>
/// Every write is whole-file atomic (tmp, fsync, rename): a crash leaves the previous history or the new one.
/// </summary>
public sealed class TaskStore(VoltPaths paths)
{
    /// <summary>How many runs history keeps (older ones are dropped as new ones are appended).</summary>
    public const int HistoryLimit = 100;

    public VoltPaths Paths => paths;

    public string Root => Path.Combine(paths.Lib, "tasks");
    public string Dir(string name) => Path.Combine(Root, name);
    public string StateFile(string name) => Path.Combine(Dir(name), "state.json");
    public string HistoryFile(string name) => Path.Combine(Dir(name), "history.json");
    public string LastRunFile(string name) => Path.Combine(Dir(name), "last.json");
    public string TimerFile(string name) => Path.Combine(paths.Units, TaskName.TimerUnit(name));
    public string ServiceFile(string name) => Path.Combine(paths.Units, TaskName.ServiceUnit(name));
    public string LogFile(string name) => Path.Combine(paths.Log, "workloads", "tasks", name + ".log");

    /// <summary>The cgroup a run's processes live in (under Volt's parent), as services have <c>service@NAME</c>.</summary>
    public static string CgroupName(string name) => "task@" + name;
    public string LockFile(string name) => Path.Combine(paths.Locks, $"task-{name}.lock");

    public bool Exists(string name) => File.Exists(TimerFile(name));

    public void EnsureExists(string name)
    {
        TaskName.Validate(name);
        if (!Exists(name)) throw VoltException.NotFound($"task \"{name}\" not found");
    }

    /// <summary>Every task with a timer unit, sorted by name.</summary>
    public IReadOnlyList<string> Names()
    {
        if (!Directory.Exists(paths.Units)) return [];
        return [.. Directory.GetFiles(paths.Units, TaskName.Prefix + "*.timer").Select(Path.GetFileName).OfType<string>()
            .Select(TaskName.FromTimerFile).OfType<string>().Order(StringComparer.Ordinal)];
    }

    public FileLock Lock(string name) => FileLock.Exclusive(LockFile(name));

    public TaskState State(string name) => Read(StateFile(name), TaskJson.Default.TaskState) ?? new TaskState();

    public void Save(string name, TaskState state) =>
        AtomicFile.WriteAllBytes(StateFile(name), JsonSerializer.SerializeToUtf8Bytes(state, TaskJson.Default.TaskState));

    public IReadOnlyList<TaskRun> History(string name) => Read(HistoryFile(name), TaskJson.Default.ListTaskRun) ?? [];

    /// <summary>
    /// Adds <paramref name="run"/> or replaces the record with its id (a run in progress that ended), keeping the last
    /// <see cref="HistoryLimit"/>; under the task's lock, one atomic write.
    /// </summary>
    public void Record(string name, TaskRun run)
    {
        using var _ = Lock(name);
        var runs = Read(HistoryFile(name), TaskJson.Default.ListTaskRun) ?? [];
        var i = runs.FindIndex(r => r.Id == run.Id);
        if (i >= 0) runs[i] = run;
        else runs.Add(run);
        if (runs.Count > HistoryLimit) runs.RemoveRange(0, runs.Count - HistoryLimit);
        AtomicFile.WriteAllBytes(HistoryFile(name), JsonSerializer.SerializeToUtf8Bytes(runs, TaskJson.Default.ListTaskRun));
        // What ps shows, beside the history: not synced (a crash leaves it stale, and a stale one is never used).
        if (Services.ServiceUnits.Stamp(HistoryFile(name)) is { } stamp)
            AtomicFile.WriteAllBytes(LastRunFile(name), JsonSerializer.SerializeToUtf8Bytes(
                new TaskLastRun { HistoryStamp = stamp, Run = LastRan(runs) }, TaskJson.Default.TaskLastRun), durable: false, unwatched: true);
    }

    /// <summary>
    /// The newest run that was not a skipped overlap (null: none yet): from <c>last.json</c> when it was written for
    /// the history file as it is now (one stat and one small read), else from the whole history.
    /// </summary>
    public TaskRun? LastRun(string name)
    {
        var stamp = Services.ServiceUnits.Stamp(HistoryFile(name));
        if (stamp is null) return null;
        try
        {
            if (RecordFields.Read<TaskLastRun>(LastRunFile(name), LastRunOf) is { } last && last.HistoryStamp == stamp) return last.Run;
        }
        catch (VoltException) { /* a torn or foreign last.json: the history decides */ }
        return LastRan(History(name));
    }

    /// <summary><c>last.json</c> without the serializer (<see cref="RecordFields"/>): <c>volt ps</c> reads one per task.</summary>
    internal static TaskLastRun LastRunOf(System.Text.Json.JsonElement e) => new()
    {
        HistoryStamp = e.String("history_stamp") ?? throw new InvalidOperationException("the required member \"history_stamp\" is missing"),
        Run = e.Has("run", out var r) ? new TaskRun(
            Id: r.Long("id") ?? 0,
            Trigger: r.Enum("trigger", TaskRun.TriggerWords, default(TaskTrigger)),
            Due: r.Time("due"),
            Start: r.Time("start") ?? default,
            End: r.Time("end"),
            ExitCode: r.Int("exit_code"),
            Result: r.Enum("result", TaskRun.ResultWords, default(TaskResult)),
            Pid: r.Int("pid"),
            PidStart: r.Long("pid_start")) : null,
    };

    private static TaskRun? LastRan(IReadOnlyList<TaskRun> runs) => runs.LastOrDefault(r => r.Result != TaskResult.SkippedOverlap);

    /// <summary>The id the next record gets: one more than the newest kept.</summary>
    public long NextId(string name) => History(name) is { Count: > 0 } h ? h.Max(r => r.Id) + 1 : 1;

    /// <summary>Removes the task's records (not its units): for delete.</summary>
    public void DeleteRecords(string name)
    {
        if (Directory.Exists(Dir(name))) Directory.Delete(Dir(name), recursive: true);
        AtomicFile.TryDelete(LogFile(name));
    }

    private static T? Read<T>(string file, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(file), type); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (JsonException e) { throw new VoltException(ExitCode.General, $"Failed reading {file}: {e.Message}", e); }
    }
}
