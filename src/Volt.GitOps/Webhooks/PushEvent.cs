using System.Text.Json;

namespace Volt.GitOps.Webhooks;

/// <summary>What a provider's webhook body says, reduced to what deploys need.</summary>
/// <param name="Ping">A ping / test event: answer 200, deploy nothing.</param>
/// <param name="RepoUrls">Every URL form of the repository the payload names.</param>
/// <param name="Branch">The pushed branch, or null for tags and non-push events.</param>
/// <param name="Commit">The pushed commit (<c>after</c>).</param>
/// <param name="Ignored">Why this event deploys nothing (tag push, branch deletion, other event), or null.</param>
public sealed record PushEvent(bool Ping, IReadOnlyList<string> RepoUrls, string? Branch, string? Commit, string? Ignored);

/// <summary>Parses GitHub, GitLab and Bitbucket Cloud push payloads (tolerant: missing fields are not errors).</summary>
public static class PushParser
{
    private const string ZeroSha = "0000000000000000000000000000000000000000";

    /// <summary>Throws <see cref="JsonException"/> for a body that is not a JSON object.</summary>
    public static PushEvent Parse(string provider, string? eventName, ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("webhook body is not a JSON object");
        return provider switch
        {
            "github" => GitHub(eventName, root),
            "gitlab" => GitLab(eventName, root),
            _ => Bitbucket(eventName, root),
        };
    }

    private static PushEvent GitHub(string? evt, JsonElement root)
    {
        var urls = Urls(Get(root, "repository"), "clone_url", "ssh_url", "git_url", "html_url", "url", "svn_url");
        if (evt == "ping" || (evt is null && root.TryGetProperty("zen", out _))) return new PushEvent(true, urls, null, null, null);
        if (evt is not null && evt != "push") return new PushEvent(false, urls, null, null, $"event \"{evt}\" is not a push");
        return FromRef(urls, Str(root, "ref"), Str(root, "after"));
    }

    private static PushEvent GitLab(string? evt, JsonElement root)
    {
        var urls = Urls(Get(root, "project"), "git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url")
            .Concat(Urls(Get(root, "repository"), "git_http_url", "git_ssh_url", "homepage", "url")).Distinct().ToList();
        var kind = Str(root, "object_kind");
        if (kind == "tag_push" || evt == "Tag Push Hook") return new PushEvent(false, urls, null, Str(root, "after"), "tag push");
        if (kind is not null && kind != "push") return new PushEvent(false, urls, null, null, $"event \"{kind}\" is not a push");
        return FromRef(urls, Str(root, "ref"), Str(root, "after"));
    }

    private static PushEvent Bitbucket(string? evt, JsonElement root)
    {
        var repo = Get(root, "repository");
        var urls = new List<string>();
        if (Get(Get(Get(repo, "links"), "html"), "href") is { ValueKind: JsonValueKind.String } h) urls.Add(h.GetString()!);
        if (Str(repo, "full_name") is { } full) urls.Add($"https://bitbucket.org/{full}");
        if (evt is not null && evt != "repo:push") return new PushEvent(false, urls, null, null, $"event \"{evt}\" is not a push");
        var changes = Get(Get(root, "push"), "changes");
        if (changes.ValueKind != JsonValueKind.Array || changes.GetArrayLength() == 0) return new PushEvent(false, urls, null, null, "push without changes");
        // The newest change of the push is the last one Bitbucket lists.
        var change = changes[changes.GetArrayLength() - 1];
        var now = Get(change, "new");
        if (now.ValueKind != JsonValueKind.Object) return new PushEvent(false, urls, Str(Get(change, "old"), "name"), null, "branch deletion");
        var type = Str(now, "type");
        if (type is "tag" or "annotated_tag") return new PushEvent(false, urls, null, null, "tag push");
        return new PushEvent(false, urls, Str(now, "name"), Str(Get(now, "target"), "hash"), null);
    }

    private static PushEvent FromRef(List<string> urls, string? gitRef, string? after)
    {
        if (gitRef is null) return new PushEvent(false, urls, null, after, "payload has no ref");
        if (gitRef.StartsWith("refs/tags/", StringComparison.Ordinal)) return new PushEvent(false, urls, null, after, "tag push");
        var branch = gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? gitRef["refs/heads/".Length..] : gitRef;
        if (after is null || after == ZeroSha) return new PushEvent(false, urls, branch, after, "branch deletion");
        return new PushEvent(false, urls, branch, after, null);
    }

    private static List<string> Urls(JsonElement obj, params string[] keys) =>
        [.. keys.Select(k => Str(obj, k)).OfType<string>().Where(s => s.Length > 0).Distinct()];

    private static JsonElement Get(JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) ? v : default;

    private static string? Str(JsonElement e, string key) =>
        Get(e, key) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
}
