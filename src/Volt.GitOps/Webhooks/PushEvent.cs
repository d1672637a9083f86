using System.Text.Json;
using Volt.GitOps.Sources;

namespace Volt.GitOps.Webhooks;

/// <summary>One branch moved to one commit by a push.</summary>
public sealed record BranchUpdate(string Branch, string Commit);

/// <summary>What a provider's webhook body says, reduced to what deploys need.</summary>
/// <param name="Ping">A ping / test event: answer 200, deploy nothing.</param>
/// <param name="RepoUrls">Every URL form of the repository the payload names.</param>
/// <param name="Branch">The pushed branch (the last one, for a Bitbucket push of several), or null for tags and non-push events.</param>
/// <param name="Commit">The pushed commit (<c>after</c>).</param>
/// <param name="Ignored">Why this event deploys nothing (tag push, branch deletion, other event), or null.</param>
public sealed record PushEvent(bool Ping, IReadOnlyList<string> RepoUrls, string? Branch, string? Commit, string? Ignored)
{
    /// <summary>Every branch the push moved, in payload order (one for GitHub/GitLab; Bitbucket lists several).</summary>
    public IReadOnlyList<BranchUpdate> Updates { get; init; } =
        Ignored is null && Branch is not null && Commit is not null ? [new BranchUpdate(Branch, Commit)] : [];
}

/// <summary>A payload that is JSON but whose values are unusable (invalid ids, refs, types, text): answered 400.</summary>
public sealed class PayloadException(string message) : Exception(message);

/// <summary>
/// Parses GitHub, GitLab and Bitbucket Cloud push payloads. Missing fields are not errors; present fields of the wrong
/// type, text that is not valid Unicode, commit ids that are not 40/64 hex and refs git would refuse are
/// (<see cref="PayloadException"/>): nothing from a payload reaches git unchecked.
/// </summary>
public static class PushParser
{
    private const string ZeroSha = "0000000000000000000000000000000000000000";
    private const string ZeroSha256 = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Throws <see cref="JsonException"/> for a body that is not a JSON object, <see cref="PayloadException"/> for bad values.</summary>
    public static PushEvent Parse(string provider, string? eventName, ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("webhook body is not a JSON object");
        try
        {
            return provider switch
            {
                "github" => GitHub(eventName, root),
                "gitlab" => GitLab(eventName, root),
                _ => Bitbucket(eventName, root),
            };
        }
        catch (InvalidOperationException e) { throw new PayloadException($"unreadable value: {e.Message}"); }
    }

    private static PushEvent GitHub(string? evt, JsonElement root)
    {
        var urls = Urls(Get(root, "repository"), "clone_url", "ssh_url", "git_url", "html_url", "url", "svn_url");
        if (evt == "ping" || (evt is null && root.TryGetProperty("zen", out _))) return new PushEvent(true, urls, null, null, null);
        if (evt is not null && evt != "push") return new PushEvent(false, urls, null, null, $"event \"{evt}\" is not a push");
        return FromRef(urls, Str(root, "ref"), Commit(root, "after"));
    }

    private static PushEvent GitLab(string? evt, JsonElement root)
    {
        var urls = Urls(Get(root, "project"), "git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url")
            .Concat(Urls(Get(root, "repository"), "git_http_url", "git_ssh_url", "homepage", "url")).Distinct().ToList();
        var kind = Str(root, "object_kind");
        if (kind == "tag_push" || evt == "Tag Push Hook") return new PushEvent(false, urls, null, Commit(root, "after"), "tag push");
        if (kind is not null && kind != "push") return new PushEvent(false, urls, null, null, $"event \"{Shown(kind)}\" is not a push");
        return FromRef(urls, Str(root, "ref"), Commit(root, "after"));
    }

    private static PushEvent Bitbucket(string? evt, JsonElement root)
    {
        var repo = Get(root, "repository");
        var urls = new List<string>();
        if (Str(Get(Get(repo, "links"), "html"), "href") is { Length: > 0 } h) urls.Add(h);
        if (Str(repo, "full_name") is { } full) urls.Add($"https://bitbucket.org/{full}");
        if (evt is not null && evt != "repo:push") return new PushEvent(false, urls, null, null, $"event \"{evt}\" is not a push");
        var changes = Get(Get(root, "push"), "changes");
        if (changes.ValueKind is not (JsonValueKind.Array or JsonValueKind.Undefined or JsonValueKind.Null)) throw new PayloadException("push.changes must be a list");
        if (changes.ValueKind != JsonValueKind.Array || changes.GetArrayLength() == 0) return new PushEvent(false, urls, null, null, "push without changes");
        // Every change counts: a push of [main, feature] moves both branches (Bitbucket lists them oldest first).
        var updates = new List<BranchUpdate>();
        string? ignored = null, deleted = null;
        foreach (var change in changes.EnumerateArray())
        {
            if (change.ValueKind != JsonValueKind.Object) throw new PayloadException("push.changes entries must be objects");
            var now = Get(change, "new");
            if (now.ValueKind != JsonValueKind.Object)
            {
                if (now.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)) throw new PayloadException("change.new must be an object or null");
                deleted = Str(Get(change, "old"), "name");
                if (deleted is not null && !GitNames.IsBranch(deleted) && !GitNames.IsRefName("refs/tags/" + deleted)) throw Invalid("branch", deleted);
                ignored ??= "branch deletion";
                continue;
            }
            var type = Str(now, "type");
            var name = Str(now, "name");
            var hash = Commit(Get(now, "target"), "hash");
            if (type is "tag" or "annotated_tag")
            {
                if (name is not null && !GitNames.IsRefName("refs/tags/" + name)) throw Invalid("tag", name);
                ignored = "tag push";
                continue;
            }
            if (name is null || hash is null) { ignored ??= "change without branch or commit"; continue; }
            if (!GitNames.IsBranch(name)) throw Invalid("branch", name);
            updates.Add(new BranchUpdate(name, hash));
        }
        if (updates.Count == 0) return new PushEvent(false, urls, deleted, null, ignored ?? "push without changes");
        return new PushEvent(false, urls, updates[^1].Branch, updates[^1].Commit, null) { Updates = updates };
    }

    private static PushEvent FromRef(List<string> urls, string? gitRef, string? after)
    {
        if (gitRef is null) return new PushEvent(false, urls, null, after, "payload has no ref");
        if (!GitNames.IsRefName(gitRef)) throw Invalid("ref", gitRef);
        if (gitRef.StartsWith("refs/tags/", StringComparison.Ordinal)) return new PushEvent(false, urls, null, after, "tag push");
        if (!gitRef.StartsWith("refs/heads/", StringComparison.Ordinal)) return new PushEvent(false, urls, null, after, $"ref \"{gitRef}\" is not a branch");
        var branch = gitRef["refs/heads/".Length..];
        if (!GitNames.IsBranch(branch)) throw Invalid("ref", gitRef);
        if (after is null || after is ZeroSha or ZeroSha256) return new PushEvent(false, urls, branch, after, "branch deletion");
        return new PushEvent(false, urls, branch, after, null);
    }

    private static PayloadException Invalid(string what, string value) => new($"invalid {what} \"{Shown(value)}\"");

    /// <summary>A commit id field: absent/null, or exactly 40 or 64 hex digits (lowercased).</summary>
    private static string? Commit(JsonElement e, string key)
    {
        var s = Str(e, key);
        if (s is null) return null;
        return GitNames.IsCommitId(s) ? s.ToLowerInvariant() : throw new PayloadException($"invalid commit id in \"{key}\": \"{Shown(s)}\" (expected 40 or 64 hex digits)");
    }

    private static List<string> Urls(JsonElement obj, params string[] keys) =>
        [.. keys.Select(k => Str(obj, k)).OfType<string>().Where(s => s.Length > 0).Distinct()];

    private static JsonElement Get(JsonElement e, string key) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(key, out var v) ? v : default;

    /// <summary>A string field: absent or null is null; another type, or text that is not valid Unicode, is a <see cref="PayloadException"/>.</summary>
    private static string? Str(JsonElement e, string key)
    {
        var v = Get(e, key);
        switch (v.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null: return null;
            case JsonValueKind.String:
                string s;
                try { s = v.GetString()!; }
                catch (InvalidOperationException) { throw new PayloadException($"\"{key}\" is not valid text (invalid UTF-8, or a lone surrogate such as \\ud800)"); }
                if (!IsValidUnicode(s)) throw new PayloadException($"\"{key}\" contains a lone surrogate (\\ud800-\\udfff): not valid Unicode text");
                return s;
            default: throw new PayloadException($"\"{key}\" must be a string, not {v.ValueKind.ToString().ToLowerInvariant()}");
        }
    }

    private static bool IsValidUnicode(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    private static string Shown(string s) => SourceControl.Shown(s);
}
