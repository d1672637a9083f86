using Volt.Core.Errors;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Volt.GitOps.Hosting;
using Volt.GitOps.Deploy;
using Volt.GitOps.Pipelines;

namespace Volt.GitOps.Webhooks;

/// <summary>The answer to one webhook: HTTP status, a one-line message, and what was queued.</summary>
public sealed record WebhookResult(int Status, string Message, IReadOnlyList<string> Deploying);

/// <summary>
/// Turns one webhook request into a decision. Order: authenticate (403 unless the signature verifies against a
/// pipeline of this provider, or that pipeline has no secret) → parse and validate (400) → ping (200) → duplicate
/// delivery id (200, nothing deployed) → ignore tags, deletions, other repos and branches (202) → queue a deploy of
/// each pushed branch's commit (202). Nothing before authentication acts; delivery ids are remembered only after it.
/// </summary>
public sealed class WebhookReceiver(PipelineStore store, DeployQueue queue, TimeProvider time, ILogger log, DeliveryLog? deliveries = null)
{
    private readonly DeliveryLog _deliveries = deliveries ?? new DeliveryLog(null);

    public WebhookResult Handle(string provider, Func<string, string?> header, byte[] body)
    {
        // A corrupt pipeline file is skipped (and logged) so the others keep deploying; only when no readable
        // pipeline trusts this request is the corruption the answer (422, exit 12's status) instead of a 403.
        var corrupt = new List<VoltException>();
        var candidates = store.List(corrupt.Add).Where(p => p.Provider == provider).ToList();
        foreach (var e in corrupt) GitOpsLog.WebhookSkippedCorrupt(log, provider, e.Message);
        var trusted = candidates.Where(p => Authentic(p, provider, header, body)).ToList();
        if (trusted.Count == 0 && corrupt.Count > 0) throw corrupt[0];
        if (trusted.Count == 0)
            return Log(new WebhookResult(403, "signature verification failed", []), provider);
        PushEvent evt;
        try { evt = PushParser.Parse(provider, EventName(provider, header), body); }
        catch (JsonException e) { return Log(new WebhookResult(400, $"malformed JSON: {OneLine(e.Message)}", []), provider); }
        catch (PayloadException e) { return Log(new WebhookResult(400, $"invalid payload: {e.Message}", []), provider); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or DecoderFallbackException)
        {
            return Log(new WebhookResult(400, $"invalid payload: {OneLine(e.Message)}", []), provider);
        }
        if (evt.Ping) return Log(new WebhookResult(200, "pong", []), provider);
        if (DeliveryId(provider, header) is var (idHeader, id))
        {
            if (!DeliveryLog.IsValidId(id)) return Log(new WebhookResult(400, $"invalid {idHeader} header (1-128 printable characters)", []), provider);
            if (!_deliveries.TryAdd(provider, id)) return Log(new WebhookResult(200, "duplicate delivery", []), provider);
        }
        if (evt.Ignored is { } why) return Log(new WebhookResult(202, $"ignored: {why}", []), provider);
        var forRepo = candidates.Where(p => evt.RepoUrls.Any(u => RepoUrl.Same(u, p.Repo))).ToList();
        if (forRepo.Count == 0)
            return Log(new WebhookResult(202, $"ignored: no pipeline for repository {Sources.SourceControl.Shown(evt.RepoUrls.FirstOrDefault() ?? "(none)")}", []), provider);
        var matched = forRepo.Where(trusted.Contains).ToList();
        if (matched.Count == 0) return Log(new WebhookResult(403, "signature verification failed", []), provider);
        var onBranch = matched.Where(p => evt.Updates.Any(u => u.Branch == p.Branch)).ToList();
        if (onBranch.Count == 0)
        {
            var branches = string.Join(", ", evt.Updates.Select(u => $"\"{u.Branch}\""));
            return Log(new WebhookResult(202, evt.Updates.Count > 1 ? $"ignored: branches {branches} are not tracked" : $"ignored: branch {branches} is not tracked", []), provider);
        }
        var deploying = new List<(string Pipeline, string Commit)>();
        foreach (var p in onBranch)
        {
            var commit = evt.Updates.Last(u => u.Branch == p.Branch).Commit;
            if (p.Secret is null) GitOpsLog.WebhookNoSecret(log, p.Name);
            if (p.Paused) { GitOpsLog.PausedPush(log, p.Name, commit); continue; }
            queue.Enqueue(p.Name, new DeployRequest(commit, $"webhook ({provider})") { SkipStale = true });
            deploying.Add((p.Name, commit));
        }
        if (deploying.Count == 0) return Log(new WebhookResult(202, "ignored: pipeline paused (volt gitops resume)", []), provider);
        var text = string.Join("; ", deploying.GroupBy(d => d.Commit).Select(g => $"{g.Key} to {string.Join(", ", g.Select(d => d.Pipeline))}"));
        return Log(new WebhookResult(202, $"deploying {text}", [.. deploying.Select(d => d.Pipeline)]), provider);
    }

    private static (string Header, string Id)? DeliveryId(string provider, Func<string, string?> header)
    {
        foreach (var h in DeliveryLog.Headers(provider))
            if (header(h) is { } v) return (h, v);
        return null;
    }

    private static string OneLine(string s) => Sources.SourceControl.Shown(s.ReplaceLineEndings(" "), 200);

    private bool Authentic(Pipeline p, string provider, Func<string, string?> header, byte[] body)
    {
        if (p.Secret is null) return true;
        return provider switch
        {
            Providers.GitHub => Signatures.VerifyHub(p.Secret, body, header("X-Hub-Signature-256")),
            Providers.Bitbucket => Signatures.VerifyHub(p.Secret, body, header("X-Hub-Signature")),
            _ => header("webhook-signature") is { } sig
                ? Signatures.VerifyStandard(p.Secret, header("webhook-id"), header("webhook-timestamp"), sig, body, time.GetUtcNow())
                : Signatures.VerifyGitLabToken(p.Secret, header("X-Gitlab-Token")),
        };
    }

    private static string? EventName(string provider, Func<string, string?> header) => provider switch
    {
        Providers.GitHub => header("X-GitHub-Event"),
        Providers.GitLab => header("X-Gitlab-Event") is "Push Event" ? "Push Hook" : header("X-Gitlab-Event"),
        _ => header("X-Event-Key"),
    };

    private WebhookResult Log(WebhookResult r, string provider)
    {
        if (r.Status < 400) GitOpsLog.WebhookAnswered(log, provider, r.Status, r.Message);
        else GitOpsLog.WebhookRefused(log, provider, r.Status, r.Message);
        return r;
    }
}
