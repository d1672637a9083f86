using System.Text.Json.Nodes;
using Volt.Rendering;
using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Commands.Service;

/// <summary>Rows and objects for service list/status, one shape for both.</summary>
internal static class ServiceViews
{
    /// <summary>Volt's own units (its servers and voltd): listed with <c>volt: true</c>.</summary>
    public static bool IsVoltsOwn(string name) => name == "volt" || name.StartsWith("volt-", StringComparison.Ordinal);

    public static JsonObject Row(WorkloadInfo w, ServiceStore store, DateTimeOffset now) => new()
    {
        ["name"] = w.Name,
        ["type"] = "service",
        ["status"] = w.Status.Word(),
        ["unit"] = w.Unit,
        ["pid"] = w.Pid,
        ["enabled"] = store.IsEnabled(w.Name),
        ["volt"] = IsVoltsOwn(w.Name),
        ["command"] = w.Detail,
        ["started_at"] = w.StartedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        ["uptime_seconds"] = w.Status == WorkloadStatus.Running && w.StartedAt is { } s ? (long)(now - s).TotalSeconds : null,
        ["restart"] = w.Status == WorkloadStatus.Restarting && store.State(w.Name).Restart is { } r
            ? new JsonObject { ["attempt"] = r.Attempt, ["next_at"] = r.NextAt.ToUniversalTime().ToString("O") } : null,
    };

    public static JsonObject Status(WorkloadInfo w, ServiceStore store, DateTimeOffset now)
    {
        var o = Row(w, store, now);
        var state = store.State(w.Name);
        o["unit_file"] = store.UnitFile(w.Name);
        o["supervisor"] = w.Supervisor;
        o["finished_at"] = w.FinishedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        o["exit_code"] = w.ExitCode;
        o["restarts"] = state.Restarts;
        o["error"] = state.Error;
        o["log"] = store.LogFile(w.Name);
        o["memory_max"] = w.Resources?.MemoryBytes;
        o["cpu_quota_percent"] = w.Resources?.CpuPercent;
        o["tasks_max"] = w.Resources?.Pids;
        o["sandbox"] = Sandbox.SandboxViews.Of(store.Sandbox(w.Name), store.Dir(w.Name));
        return o;
    }

    /// <summary><c>running</c>, <c>restarting (attempt 3)</c>: the STATUS column.</summary>
    private static string StatusText(JsonObject row)
    {
        var status = row["status"]?.GetValue<string>() ?? "";
        return row["restart"]?["attempt"]?.GetValue<int>() is { } a ? $"{status} (attempt {a})" : status;
    }

    public static readonly Column[] ListColumns =
    [
        new("NAME", "name"),
        new("STATUS", "status") { RowFormat = StatusText },
        new("ENABLED", "enabled", n => n?.GetValue<bool>() == true ? "yes" : "no"),
        new("PID", "pid"),
        new("UPTIME", "uptime_seconds", n => n is JsonValue v && v.TryGetValue<long>(out var s) ? Human.Duration(TimeSpan.FromSeconds(s)) : "-"),
        new("COMMAND", "command"),
    ];
}
