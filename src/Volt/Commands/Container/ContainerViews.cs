using System.Text.Json.Nodes;
using Volt.Rendering;
using Volt.Workloads.Containers;

namespace Volt.Commands.Container;

/// <summary>Rows and objects for list/ps/inspect, one shape for all of them.</summary>
internal static class ContainerViews
{
    public static JsonObject Row(ContainerView v, DateTimeOffset now) => new()
    {
        ["name"] = v.Name,
        ["type"] = "container",
        ["status"] = v.Status.ToString().ToLowerInvariant(),
        ["image"] = v.Config?.Image,
        ["ip"] = v.Status == ContainerStatus.Running ? v.State.Ip : null,
        ["pid"] = v.Status == ContainerStatus.Running ? v.State.Pid : null,
        ["started_at"] = v.State.StartedAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        ["uptime_seconds"] = v.Status == ContainerStatus.Running && v.State.StartedAt is { } s ? (long)(now - s).TotalSeconds : null,
    };

    public static readonly Column[] PsColumns =
    [
        new("NAME", "name"),
        new("TYPE", "type"),
        new("STATUS", "status"),
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
            ["status"] = v.Status.ToString().ToLowerInvariant(),
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
            ["created"] = c?.Created.ToUniversalTime().ToString("O"),
        };
    }
}
