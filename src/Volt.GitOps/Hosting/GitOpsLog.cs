using Microsoft.Extensions.Logging;

namespace Volt.GitOps.Hosting;

/// <summary>
/// The GitOps server's log lines (event ids 8000-8999, docs/logging.md): the webhook server, the SVN poller and the
/// deploy queue. <c>volt gitops serve</c> writes them to stderr (its service log) one line each.
/// </summary>
public static partial class GitOpsLog
{
    /// <summary>The category every GitOps line is logged under.</summary>
    public const string Category = "Volt.GitOps";

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "GitOps server listening on {Address} (POST /hooks/github|gitlab|bitbucket, GET /healthz)")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} has no secret: any HTTP POST can trigger its deploys")]
    public static partial void NoSecretAtStart(ILogger logger, string pipeline);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "stopping: waiting for running deploys…")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "voltd, started for this server's deploys, keeps running: it supervises the deployed workloads (stopping it stops them; kill $(cat {PidFile}) does)")]
    public static partial void VoltdKept(ILogger logger, string pidFile);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Information, Message = "{Text}")]
    public static partial void Signal(ILogger logger, string text);

    [LoggerMessage(EventId = 8010, Level = LogLevel.Information, Message = "webhook {Provider}: {Status} {Message}")]
    public static partial void WebhookAnswered(ILogger logger, string provider, int status, string message);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Warning, Message = "webhook {Provider}: {Status} {Message}")]
    public static partial void WebhookRefused(ILogger logger, string provider, int status, string message);

    [LoggerMessage(EventId = 8012, Level = LogLevel.Error, Message = "webhook {Path}: {Status} {Message}")]
    public static partial void WebhookFailed(ILogger logger, string path, int status, string message);

    [LoggerMessage(EventId = 8013, Level = LogLevel.Warning, Message = "webhook {Provider}: skipped: {Problem}")]
    public static partial void WebhookSkippedCorrupt(ILogger logger, string provider, string problem);

    [LoggerMessage(EventId = 8014, Level = LogLevel.Warning, Message = "Pipeline {Pipeline} has no secret: anyone can trigger its deploys")]
    public static partial void WebhookNoSecret(ILogger logger, string pipeline);

    [LoggerMessage(EventId = 8015, Level = LogLevel.Information, Message = "pipeline {Pipeline} is paused (rolled back): push {Commit} not deployed")]
    public static partial void PausedPush(ILogger logger, string pipeline, string commit);

    [LoggerMessage(EventId = 8020, Level = LogLevel.Information, Message = "deploy {Pipeline}: {Commit} ({Trigger})")]
    public static partial void DeployStarting(ILogger logger, string pipeline, string commit, string trigger);

    [LoggerMessage(EventId = 8021, Level = LogLevel.Information, Message = "deploy {Pipeline}: {Status} {Commit} in {DurationMs} ms")]
    public static partial void DeploySucceeded(ILogger logger, string pipeline, string status, string commit, long durationMs);

    [LoggerMessage(EventId = 8022, Level = LogLevel.Warning, Message = "deploy {Pipeline}: {Status} {Commit} in {DurationMs} ms: {Notes}")]
    public static partial void DeployFailed(ILogger logger, string pipeline, string status, string commit, long durationMs, string? notes);

    [LoggerMessage(EventId = 8023, Level = LogLevel.Error, Message = "deploy {Pipeline}: unexpected error: {Error}")]
    public static partial void DeployCrashed(ILogger logger, string pipeline, string error);

    [LoggerMessage(EventId = 8030, Level = LogLevel.Warning, Message = "poll: skipped: {Problem}")]
    public static partial void PollSkipped(ILogger logger, string problem);

    [LoggerMessage(EventId = 8031, Level = LogLevel.Warning, Message = "poll {Pipeline}: {Error}")]
    public static partial void PollFailed(ILogger logger, string pipeline, string error);
}
