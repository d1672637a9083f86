using System.Globalization;
using System.Text.Json.Nodes;
using Volt.GitOps.Hosting;
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
        ["insecure_no_secret"] = p.IsSvn ? null : p.Secret is null,
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

    /// <summary>The SECRET column: <c>yes</c>, or <c>none (insecure)</c> for a webhook pipeline without one; svn polls (<c>-</c>).</summary>
    public static string SecretText(JsonNode? secret) => secret is null ? "-" : (bool)secret ? "yes" : "none (insecure)";

    /// <summary>The running webhook server from its state file; a file whose pid is gone is reported as stale.</summary>
    public static JsonObject Server(string stateFile, DateTimeOffset now)
    {
        var state = ServerState.TryRead(stateFile);
        var running = state is not null && state.Pid > 0 && Volt.Core.IO.Posix.ProcessExists(state.Pid);
        if (state is null || !running)
            return new JsonObject { ["state"] = "stopped", ["stale_pid"] = state?.Pid };
        return new JsonObject
        {
            ["state"] = "running", ["address"] = state.Address, ["pid"] = state.Pid, ["since"] = Time(state.Started),
            ["requests"] = state.Requests, ["deploys"] = state.Deploys, ["updated"] = Time(state.Updated),
        };
    }

    public static string ServerLine(JsonObject server, DateTimeOffset now)
    {
        if ((string?)server["state"] != "running")
            return server["stale_pid"] is { } pid
                ? $"Server: not running (stale state of pid {pid}, which has exited; start it with 'volt gitops serve')"
                : "Server: not running (start it with 'volt gitops serve' or the volt-gitops service)";
        var since = DateTimeOffset.Parse((string)server["since"]!, CultureInfo.InvariantCulture);
        return $"Server: running on {server["address"]} (pid {server["pid"]}) since {Time(since)} ({Rendering.Human.Ago(since, now)}), {server["requests"]} requests, {server["deploys"]} deploys";
    }

    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><c>abc1234</c> for git commits; SVN revisions as they are.</summary>
    public static string ShortCommit(string? c) => c is { Length: 40 } ? c[..7] : c ?? "-";

    /// <summary>Whole seconds as the seed prints them (<c>12s</c>); sub-second as ms; minutes as <c>1m05s</c>.</summary>
    public static string Duration(long ms) =>
        ms < 1000 ? $"{ms}ms" : ms < 60_000 ? $"{(int)Math.Round(ms / 1000.0)}s" : $"{ms / 60_000}m{ms / 1000 % 60:00}s";
}
