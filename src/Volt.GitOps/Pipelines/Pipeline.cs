using System.Text.Json.Serialization;

namespace Volt.GitOps.Pipelines;

/// <summary>A GitOps pipeline: one branch (or SVN path) of one repository deployed as one workload.</summary>
public sealed record Pipeline
{
    public required string Name { get; init; }
    /// <summary>The repository as the user gave it; webhooks match it across https/ssh/git forms.</summary>
    public required string Repo { get; init; }
    /// <summary><c>github</c>, <c>gitlab</c>, <c>bitbucket</c> or <c>svn</c>.</summary>
    public required string Provider { get; init; }
    public required string Branch { get; init; }
    public required string Workload { get; init; }
    /// <summary>HMAC secret / GitLab token; null means webhooks are accepted unsigned (status warns).</summary>
    public string? Secret { get; init; }
    /// <summary>SVN poll interval in seconds.</summary>
    public int PollInterval { get; init; } = 60;
    /// <summary>Where git/svn actually fetch from, when it differs from <see cref="Repo"/> (mirrors, tests).</summary>
    public string? CloneUrl { get; init; }
    public DateTimeOffset Created { get; init; }
    /// <summary>Set by rollback: webhooks and polls are recorded as skipped until resume.</summary>
    public bool Paused { get; init; }
    /// <summary>Created with <c>--insecure-no-secret</c>: webhooks are accepted unsigned on purpose.</summary>
    public bool InsecureNoSecret { get; init; }

    [JsonIgnore] public bool IsSvn => Provider == Providers.Svn;
    [JsonIgnore] public string FetchUrl => string.IsNullOrEmpty(CloneUrl) ? Repo : CloneUrl;
}

/// <summary>The provider names the CLI and the webhook paths use.</summary>
public static class Providers
{
    public const string GitHub = "github";
    public const string GitLab = "gitlab";
    public const string Bitbucket = "bitbucket";
    public const string Svn = "svn";
    public static readonly string[] All = [GitHub, GitLab, Bitbucket, Svn];
}

/// <summary>One line of <c>history.jsonl</c>: a deploy attempt and its outcome.</summary>
public sealed record HistoryEntry
{
    public required DateTimeOffset Timestamp { get; init; }
    public required string Commit { get; init; }
    public required string Branch { get; init; }
    /// <summary><c>success</c>, <c>failed</c> or <c>stale</c> (a webhook's commit older than the deployed one: not deployed).</summary>
    public required string Status { get; init; }
    public long DurationMs { get; init; }
    /// <summary><c>webhook (github)</c>, <c>manual sync</c>, <c>poll (svn)</c>, <c>rollback</c>.</summary>
    public required string Trigger { get; init; }
    /// <summary>The trigger on success; the reason on failure.</summary>
    public required string Notes { get; init; }
    /// <summary>The failure is the repository's manifest (sync/rollback exit 12); not stored.</summary>
    [JsonIgnore] public bool InvalidConfig { get; init; }
}

/// <summary>Source-generated JSON for the pipeline files (AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Pipeline))]
[JsonSerializable(typeof(HistoryEntry))]
[JsonSerializable(typeof(Hosting.ServerState))]
internal sealed partial class GitOpsJson : JsonSerializerContext;

/// <summary>One-line JSON for <c>history.jsonl</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HistoryEntry))]
internal sealed partial class GitOpsLineJson : JsonSerializerContext;
