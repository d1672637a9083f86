using System.Globalization;
using System.Text.Json.Nodes;
using Volt.Rendering;
using Volt.Workloads.Tasks;

namespace Volt.Commands.Tasks;

/// <summary>Rows and objects for task list/history/inspect: times in RFC 3339 (UTC); the table shows them for people.</summary>
internal static class TaskViews
{
    public static JsonObject Row(TaskView v, DateTimeOffset now) => new()
    {
        ["name"] = v.Name,
        ["schedule"] = v.Schedule,
        ["last_run"] = Time(v.LastRun?.Start),
        ["result"] = v.LastRun is { } r ? TaskRun.Word(r.Result) : null,
        ["next_run"] = Time(v.NextRun),
        ["enabled"] = v.Enabled,
        ["persistent"] = v.Persistent,
    };

    /// <summary>The task's row in <c>volt ps</c> (TYPE task; IMAGE shows the schedule).</summary>
    public static JsonObject PsRow(Workloads.Model.WorkloadInfo w, DateTimeOffset now) => new()
    {
        ["name"] = w.Name,
        ["type"] = "task",
        ["status"] = Workloads.Model.WorkloadStatuses.Word(w.Status),
        ["image"] = w.Detail,
        ["unit"] = w.Unit,
        ["pid"] = w.Pid,
        ["started_at"] = w.StartedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["uptime_seconds"] = w.Status == Workloads.Model.WorkloadStatus.Running && w.StartedAt is { } s ? (long)(now - s).TotalSeconds : null,
    };

    public static JsonObject Inspect(TaskView v, DateTimeOffset now)
    {
        var o = Row(v, now);
        o["timeout_seconds"] = v.Timeout is { } t ? (long)t.TotalSeconds : null;
        o["command"] = new JsonArray([.. v.Command.Select(x => (JsonNode)x!)]);
        o["timer_unit"] = TaskName.TimerUnit(v.Name);
        o["service_unit"] = TaskName.ServiceUnit(v.Name);
        return o;
    }

    public static JsonObject Run(TaskRun r) => new()
    {
        ["id"] = r.Id,
        ["trigger"] = TaskRun.Word(r.Trigger),
        ["due"] = Time(r.Due),
        ["start"] = Time(r.Start),
        ["end"] = Time(r.End),
        ["duration_ms"] = r.End is { } e ? (long)(e - r.Start).TotalMilliseconds : null,
        ["delay_ms"] = r.Due is { } d && r.Result != TaskResult.SkippedOverlap ? Math.Round((r.Start - d).TotalMilliseconds, 3) : null,
        ["exit_code"] = r.ExitCode,
        ["result"] = TaskRun.Word(r.Result),
    };

    public static Column[] ListColumns(DateTimeOffset now) =>
    [
        new("NAME", "name"),
        new("SCHEDULE", "schedule"),
        new("LAST RUN", "last_run", n => When(n, now)),
        new("RESULT", "result"),
        new("NEXT RUN", "next_run", n => When(n, now)) { RowFormat = row => row["enabled"]?.GetValue<bool>() == false ? "disabled" : When(row["next_run"], now) },
    ];

    public static readonly Column[] HistoryColumns =
    [
        new("ID", "id", RightAlign: true),
        new("TRIGGER", "trigger"),
        new("START", "start", Stamp),
        new("DURATION", "duration_ms", n => n is JsonValue v && v.TryGetValue<long>(out var ms) ? Human.Duration(TimeSpan.FromMilliseconds(ms)) : "-"),
        new("EXIT", "exit_code", RightAlign: true),
        new("RESULT", "result"),
    ];

    private static string? Time(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Parse(JsonNode? n) =>
        n is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary><c>2m ago</c>, <c>in 1m30s</c>, <c>-</c>.</summary>
    private static string When(JsonNode? n, DateTimeOffset now) => Parse(n) is not { } t ? "-"
        : t <= now ? Human.Ago(t, now)
        : "in " + Human.Duration(t - now);

    private static string Stamp(JsonNode? n) => Parse(n) is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";
}
