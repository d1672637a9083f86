using System.Text.Json;
using Volt.Registry.Errors;
using Volt.Registry.Json;
using Volt.Registry.Storage;

namespace Volt.Registry.Http;

/// <summary>Content discovery: tags list and <c>_catalog</c> (both paged with <c>n</c>/<c>last</c> and <c>Link</c>), and referrers.</summary>
public sealed class DiscoveryEndpoints(RegistryStore store)
{
    public Task TagsAsync(RequestScope s)
    {
        RequireGet(s);
        var page = Page(store.Tags(s.Name), s, $"/v2/{s.Name}/tags/list");
        return s.WriteAsync(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(new TagList(s.Name, page), RegistryJson.Default.TagList));
    }

    public Task CatalogAsync(RequestScope s)
    {
        RequireGet(s);
        // Like distribution's token auth, a token sees the repositories it covers; anonymous pull sees them all.
        var visible = store.Repositories().Where(r => s.Token is null || s.Token.Covers(r)).ToList();
        var page = Page(visible, s, "/v2/_catalog");
        return s.WriteAsync(200, "application/json", JsonSerializer.SerializeToUtf8Bytes(new Catalog(page), RegistryJson.Default.Catalog));
    }

    /// <summary>An image index of the manifests whose subject is the digest; <c>artifactType</c> filters it.</summary>
    public Task ReferrersAsync(RequestScope s)
    {
        RequireGet(s);
        var subject = RegistryStore.ParseDigest(s.Route.Argument);
        var filter = s.Query("artifactType");
        var referrers = store.Referrers(s.Name, subject, filter);
        if (filter is not null) s.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        return s.WriteAsync(200, MediaTypes.OciIndex, IndexJson(referrers));
    }

    private static byte[] IndexJson(List<Descriptor> descriptors)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciIndex);
            w.WriteStartArray("manifests");
            foreach (var d in descriptors)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", d.MediaType);
                w.WriteString("digest", d.Digest.ToString());
                w.WriteNumber("size", d.Size);
                if (d.ArtifactType is not null) w.WriteString("artifactType", d.ArtifactType);
                if (d.Annotations is { Count: > 0 })
                {
                    w.WriteStartObject("annotations");
                    foreach (var (k, v) in d.Annotations) w.WriteString(k, v);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>Entries after <c>last</c>, at most <c>n</c>; sets <c>Link: &lt;…&gt;; rel="next"</c> when more remain.</summary>
    private static List<string> Page(List<string> sorted, RequestScope s, string path)
    {
        var last = s.Query("last");
        var start = 0;
        if (last is not null)
        {
            var i = sorted.BinarySearch(last, StringComparer.Ordinal);
            start = i >= 0 ? i + 1 : ~i;
        }
        var nText = s.Query("n");
        int? n = null;
        if (nText is not null)
        {
            if (!int.TryParse(nText, out var v) || v < 0) throw OciErrors.SizeInvalid.With($"invalid page size n=\"{nText}\"");
            n = v;
        }
        var take = Math.Min(n ?? int.MaxValue, sorted.Count - start);
        var page = sorted.GetRange(start, Math.Max(take, 0));
        if (n is { } size && page.Count > 0 && start + page.Count < sorted.Count)
            s.Response.Headers.Link = $"<{path}?n={size}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"";
        return page;
    }

    private static void RequireGet(RequestScope s)
    {
        if (s.Request.Method is not ("GET" or "HEAD")) throw OciErrors.Unsupported.With($"{s.Request.Method} is not supported here");
    }
}
