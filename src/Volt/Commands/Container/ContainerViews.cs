using System.Text.Json.Nodes;
using Volt.Rendering;
using Volt.Workloads.Containers;

namespace Volt.Commands.Container;

/// <summary>Rows and objects for list/ps/inspect, one shape for all of them.</summary>
internal static class ContainerViews
{
    public static JsonObject Row(ContainerSummary v, DateTimeOffset now) => new()
    {
        ["name"] = v.Name,
        ["type"] = "container",
        ["status"] = v.Status.Word(),
        ["image"] = v.Image,
        ["ip"] = v.Status == ContainerStatus.Running ? v.State.Ip : null,
        ["pid"] = v.Status == ContainerStatus.Running ? v.State.Pid : null,
        ["started_at"] = v.State.StartedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        ["uptime_seconds"] = v.Status == ContainerStatus.Running && v.State.StartedAt is { } s ? (long)(now - s).TotalSeconds : null,
        ["health"] = v.Status == ContainerStatus.Running && v.Health is { } h ? new JsonObject { ["status"] = Word(h.Status) } : null,
        ["restart"] = Restart(v),
    };

    /// <summary><c>running</c>, <c>running (healthy)</c>, <c>restarting (attempt 3)</c>: the STATUS column.</summary>
    public static string StatusText(JsonObject row)
    {
        var status = row["status"]?.GetValue<string>() ?? "";
        if (row["health"]?["status"]?.GetValue<string>() is { } h) return $"{status} ({h})";
        if (row["restart"]?["attempt"]?.GetValue<int>() is { } a) return $"{status} (attempt {a})";
        return status;
    }

    private static JsonObject? Restart(ContainerView v) => Restart(v.Status, v.State);

    private static JsonObject? Restart(ContainerSummary v) => Restart(v.Status, v.State);

    private static JsonObject? Restart(ContainerStatus status, ContainerState state) => status == ContainerStatus.Restarting && state.Restart is { } r
        ? new JsonObject { ["attempt"] = r.Attempt, ["next_at"] = r.NextAt.ToUniversalTime().ToString("O") }
        : null;

    private static string Word(Workloads.Health.HealthStatus s) => Workloads.Health.HealthStatuses.Word(s);

    private static JsonObject? HealthObject(ContainerView v) => v.Health is not { } h ? null : new JsonObject
    {
        ["status"] = Word(h.Status),
        ["failing_streak"] = h.FailingStreak,
        ["log"] = new JsonArray([.. h.Log.Select(r => (JsonNode)Result(r))]),
    };

    private static JsonObject Result(Workloads.Health.HealthResult r) => new()
    {
        ["start"] = r.Start.ToUniversalTime().ToString("O"),
        ["end"] = r.End.ToUniversalTime().ToString("O"),
        ["exit_code"] = r.ExitCode,
        ["output"] = r.Output,
    };

    /// <summary><c>volt container healthcheck run</c>'s answer: this check and the health it led to.</summary>
    public static JsonObject HealthResult(string name, Workloads.Health.HealthResult r, Workloads.Health.HealthState state)
    {
        var o = Result(r);
        o.Insert(0, "name", name);
        o["health"] = Word(state.Status);
        o["failing_streak"] = state.FailingStreak;
        return o;
    }

    private static JsonObject? Healthcheck(ContainerConfig? c) => c?.Healthcheck is not { } h ? null : new JsonObject
    {
        ["test"] = new JsonArray([.. h.Test.Select(x => (JsonNode)x!)]),
        ["interval"] = Core.Config.DurationParser.Format(h.Interval),
        ["timeout"] = Core.Config.DurationParser.Format(h.Timeout),
        ["start_period"] = Core.Config.DurationParser.Format(h.StartPeriod),
        ["retries"] = h.Retries,
    };

    public static readonly Column[] PsColumns =
    [
        new("NAME", "name"),
        new("TYPE", "type"),
        new("STATUS", "status") { RowFormat = StatusText },
        new("IMAGE", "image"),
        new("IP", "ip"),
        new("UPTIME", "uptime_seconds", n => n is JsonValue v && v.TryGetValue<long>(out var s) ? Human.Duration(TimeSpan.FromSeconds(s)) : "-"),
    ];

    public static JsonObject Inspect(ContainerView v)
    {
        var c = v.Config;
        var s = v.State;
        return new JsonObject
        {
            ["name"] = v.Name,
            ["status"] = v.Status.Word(),
            ["image"] = c?.Image,
            ["rootfs_source"] = c?.RootfsSource,
            ["command"] = new JsonArray([.. (c?.Command ?? []).Select(x => (JsonNode)x!)]),
            ["env"] = new JsonArray([.. (c?.Env ?? []).Select(x => (JsonNode)x!)]),
            ["volumes"] = new JsonArray([.. (c?.Volumes ?? []).Select(m => (JsonNode)$"{m.Host}:{m.Container}{(m.ReadOnly ? ":ro" : "")}")]),
            ["publish"] = new JsonArray([.. (c?.Publish ?? []).Select(x => (JsonNode)x!)]),
            // --publish alone joins the default network.
            ["network"] = c?.Network ?? (c?.Publish.Count > 0 ? Network.NetNames.DefaultNetwork : "none"),
            ["memory_bytes"] = c?.MemoryBytes,
            ["cpu_percent"] = c?.CpuPercent,
            ["pids"] = c?.Pids,
            ["restart"] = c?.Restart.ToString() switch { "OnFailure" => "on-failure", var r => r?.ToLowerInvariant() },
            ["workdir"] = c?.Workdir,
            ["user"] = c?.User,
            ["pid"] = v.Status == ContainerStatus.Running ? s.Pid : null,
            ["ip"] = s.Ip,
            ["supervisor"] = s.Supervisor,
            ["started_at"] = s.StartedAt?.ToUniversalTime().ToString("O"),
            ["finished_at"] = s.FinishedAt?.ToUniversalTime().ToString("O"),
            ["exit_code"] = s.ExitCode,
            ["oom_killed"] = s.OomKilled,
            ["restarts"] = s.Restarts,
            ["restart_schedule"] = Restart(v),
            ["healthcheck"] = Healthcheck(c),
            ["health"] = HealthObject(v),
            ["sandbox"] = Sandbox.SandboxViews.Of(c?.Sandbox, v.Dir),
            ["created"] = c?.Created.ToUniversalTime().ToString("O"),
        };
    }
}
