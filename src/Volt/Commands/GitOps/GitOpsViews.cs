using System.Globalization;
using System.Text.Json.Nodes;
using Volt.GitOps.Pipelines;

namespace Volt.Commands.GitOps;

/// <summary>JSON shapes of pipelines and history entries, shared by list/status/logs (secrets never shown).</summary>
internal static class GitOpsViews
{
    public static JsonObject Pipeline(Pipeline p, HistoryEntry? last = null) => new()
    {
        ["name"] = p.Name,
        ["repo"] = p.Repo,
        ["branch"] = p.Branch,
        ["provider"] = p.Provider,
        ["workload"] = p.Workload,
        ["secret"] = p.Secret is not null,
        ["poll_interval"] = p.IsSvn ? p.PollInterval : null,
        ["clone_url"] = p.CloneUrl,
        ["paused"] = p.Paused,
        ["created"] = Time(p.Created),
        ["last_deploy"] = last is null ? null : Time(last.Timestamp),
        ["last_commit"] = last?.Commit,
        ["status"] = last?.Status ?? "never deployed",
    };

    public static JsonObject Entry(HistoryEntry e) => new()
    {
        ["timestamp"] = Time(e.Timestamp),
        ["commit"] = e.Commit,
        ["branch"] = e.Branch,
        ["status"] = e.Status,
        ["duration_ms"] = e.DurationMs,
        ["trigger"] = e.Trigger,
        ["notes"] = e.Notes,
    };

    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>abc1234</c> for git commits; SVN revisions as they are.</summary>
    public static string ShortCommit(string? c) => c is { Length: 40 } ? c[..7] : c ?? "-";

    /// <summary>Whole seconds as the seed prints them (<c>12s</c>); sub-second as ms; minutes as <c>1m05s</c>.</summary>
    public static string Duration(long ms) =>
        ms < 1000 ? $"{ms}ms" : ms < 60_000 ? $"{(int)Math.Round(ms / 1000.0)}s" : $"{ms / 60_000}m{ms / 1000 % 60:00}s";
}
