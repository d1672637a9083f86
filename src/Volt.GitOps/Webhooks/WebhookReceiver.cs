using System.Text.Json;
using Volt.GitOps.Deploy;
using Volt.GitOps.Pipelines;

namespace Volt.GitOps.Webhooks;

/// <summary>The answer to one webhook: HTTP status, a one-line message, and what was queued.</summary>
public sealed record WebhookResult(int Status, string Message, IReadOnlyList<string> Deploying);

/// <summary>
/// Turns one webhook request into a decision. Order: authenticate (403 unless the signature verifies against a
/// pipeline of this provider, or that pipeline has no secret) → parse (400) → ping (200) → ignore tags, deletions,
/// other repos and branches (202) → queue a deploy of the pushed commit (202). Nothing before authentication acts.
/// </summary>
public sealed class WebhookReceiver(PipelineStore store, DeployQueue queue, TimeProvider time, Action<string> log)
{
    public WebhookResult Handle(string provider, Func<string, string?> header, byte[] body)
    {
        var candidates = store.List().Where(p => p.Provider == provider).ToList();
        var trusted = candidates.Where(p => Authentic(p, provider, header, body)).ToList();
        if (trusted.Count == 0)
            return Log(new WebhookResult(403, "signature verification failed", []), provider);
        PushEvent evt;
        try { evt = PushParser.Parse(provider, EventName(provider, header), body); }
        catch (JsonException e) { return Log(new WebhookResult(400, $"malformed JSON: {e.Message}", []), provider); }
        if (evt.Ping) return Log(new WebhookResult(200, "pong", []), provider);
        if (evt.Ignored is { } why) return Log(new WebhookResult(202, $"ignored: {why}", []), provider);
        var forRepo = candidates.Where(p => evt.RepoUrls.Any(u => RepoUrl.Same(u, p.Repo))).ToList();
        if (forRepo.Count == 0)
            return Log(new WebhookResult(202, $"ignored: no pipeline for repository {evt.RepoUrls.FirstOrDefault() ?? "(none)"}", []), provider);
        var matched = forRepo.Where(trusted.Contains).ToList();
        if (matched.Count == 0) return Log(new WebhookResult(403, "signature verification failed", []), provider);
        var onBranch = matched.Where(p => p.Branch == evt.Branch).ToList();
        if (onBranch.Count == 0) return Log(new WebhookResult(202, $"ignored: branch \"{evt.Branch}\" is not tracked", []), provider);
        var deploying = new List<string>();
        foreach (var p in onBranch)
        {
            if (p.Secret is null) log($"warning: pipeline {p.Name} has no secret: anyone can trigger its deploys");
            if (p.Paused) { log($"pipeline {p.Name} is paused (rolled back): push {evt.Commit} not deployed"); continue; }
            queue.Enqueue(p.Name, new DeployRequest(evt.Commit, $"webhook ({provider})"));
            deploying.Add(p.Name);
        }
        return Log(deploying.Count == 0
            ? new WebhookResult(202, "ignored: pipeline paused (volt gitops resume)", [])
            : new WebhookResult(202, $"deploying {evt.Commit} to {string.Join(", ", deploying)}", deploying), provider);
    }

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
        log($"webhook {provider}: {r.Status} {r.Message}");
        return r;
    }
}
