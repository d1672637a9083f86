using Microsoft.AspNetCore.Http;
using Volt.Registry.Errors;
using Volt.Registry.Storage;

namespace Volt.Registry.Http;

/// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>: GET, HEAD, PUT, DELETE.</summary>
public sealed class ManifestEndpoints(RegistryStore store)
{
    public Task HandleAsync(RequestScope s) => s.Request.Method switch
    {
        "GET" or "HEAD" => GetAsync(s),
        "PUT" => PutAsync(s),
        "DELETE" => DeleteAsync(s),
        _ => throw OciErrors.Unsupported.With($"{s.Request.Method} is not supported on manifests"),
    };

    /// <summary>
    /// Serves the stored bytes with their own media type. Content negotiation is by what was pushed: a registry
    /// must not rewrite manifests (their digest would change), so every client gets the exact bytes it can verify.
    /// </summary>
    private Task GetAsync(RequestScope s)
    {
        var m = store.GetManifest(s.Name, s.Route.Argument);
        s.Response.Headers["Docker-Content-Digest"] = m.Digest.ToString();
        s.Response.Headers.ETag = $"\"{m.Digest}\"";
        return s.WriteAsync(200, m.Info.MediaType, m.Bytes);
    }

    private async Task PutAsync(RequestScope s)
    {
        var body = await ReadLimitedAsync(s).ConfigureAwait(false);
        var tags = s.Request.Query["tag"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
        var result = store.PutManifest(s.Name, s.Route.Argument, body, s.Request.ContentType, tags);
        s.Response.Headers.Location = $"/v2/{s.Name}/manifests/{result.Digest}";
        s.Response.Headers["Docker-Content-Digest"] = result.Digest.ToString();
        if (result.Subject is { } subject) s.Response.Headers["OCI-Subject"] = subject.ToString();
        s.Empty(201);
    }

    private Task DeleteAsync(RequestScope s)
    {
        store.DeleteManifest(s.Name, s.Route.Argument);
        s.Empty(202);
        return Task.CompletedTask;
    }

    private static async Task<byte[]> ReadLimitedAsync(RequestScope s)
    {
        const int max = RegistryStore.MaxManifestBytes;
        if (s.Request.ContentLength > max) throw TooLarge(s.Request.ContentLength.Value);
        var buffer = new byte[Math.Min(s.Request.ContentLength ?? 64 * 1024, max) + 1];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > max) throw TooLarge(total);
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, max + 1));
            }
            var n = await s.Request.Body.ReadAsync(buffer.AsMemory(total), s.Aborted).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
            s.AddBytesIn(n);
        }
        if (total > max) throw TooLarge(total);
        return buffer.AsSpan(0, total).ToArray();
    }

    private static RegistryException TooLarge(long size) =>
        OciErrors.ManifestTooLarge.With($"manifest of {size}+ bytes is over the {RegistryStore.MaxManifestBytes}-byte limit");
}
