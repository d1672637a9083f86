using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Volt.Registry.Errors;
using Volt.Registry.Hosting;
using Volt.Registry.Storage;

namespace Volt.Registry.Http;

/// <summary>
/// Blob push: <c>POST /v2/&lt;name&gt;/blobs/uploads/</c> (start, monolithic with <c>?digest=</c>, or mount with
/// <c>?mount=&amp;from=</c>, which needs pull on <c>from</c>) and <c>GET/PATCH/PUT/DELETE /v2/&lt;name&gt;/blobs/uploads/&lt;uuid&gt;</c>.
/// </summary>
public sealed class UploadEndpoints(RegistryStore store, RegistryMetrics metrics, Authenticator auth)
{
    public Task StartAsync(RequestScope s)
    {
        if (s.Request.Method != "POST") throw OciErrors.Unsupported.With($"{s.Request.Method} is not supported on the uploads endpoint");
        // Everything the request names is checked before anything is created: a rejected request leaves no session.
        var mount = s.Query("mount") is { } m ? RegistryStore.ParseDigest(m) : (Volt.Storage.Cas.Digest?)null;
        var digest = s.Query("digest") is { } dg ? RegistryStore.ParseDigest(dg) : (Volt.Storage.Cas.Digest?)null;
        // A mount needs pull on its source (push on the target was checked): otherwise it is an ordinary upload.
        var from = s.Query("from");
        var mayMount = from is null ? auth.CanPullAnything(s.Token) : auth.CanPull(s.Token, from);
        if (mount is { } d && mayMount && store.TryMount(s.Name, d, from)) return Created(s, d);
        if (digest is { } known && store.Cas.Exists(known)) return LinkKnownAsync(s, known);
        var session = store.Uploads.Start(s.Name);
        metrics.UploadStarted();
        if (digest is { } expected) return MonolithicAsync(s, session, expected);
        Accepted(s, session, 0);
        return Task.CompletedTask;
    }

    // The store has these bytes already: the body is only hashed (to answer DIGEST_INVALID for wrong bytes), never written.
    private async Task LinkKnownAsync(RequestScope s, Volt.Storage.Cas.Digest d)
    {
        metrics.UploadStarted();
        await store.Uploads.LinkKnownAsync(s.Name, s.Request.BodyReader, d, s.AddBytesIn, s.Aborted).ConfigureAwait(false);
        metrics.UploadCompleted();
        await Created(s, d).ConfigureAwait(false);
    }

    private async Task MonolithicAsync(RequestScope s, UploadSession session, Volt.Storage.Cas.Digest d)
    {
        try
        {
            await store.Uploads.AppendAsync(session, s.Request.BodyReader, null, s.AddBytesIn, s.Aborted).ConfigureAwait(false);
            await store.Uploads.CompleteAsync(session, d, s.Aborted).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(session.Directory)) store.Uploads.Cancel(session);
        }
        metrics.UploadCompleted();
        await Created(s, d).ConfigureAwait(false);
    }

    public async Task HandleAsync(RequestScope s)
    {
        var session = store.Uploads.Open(s.Name, s.Route.Argument);
        switch (s.Request.Method)
        {
            case "GET":
                Accepted(s, session, session.Size, 204);
                break;
            case "PATCH":
                var size = await AppendAsync(s, session, ContentRangeStart(s)).ConfigureAwait(false);
                Accepted(s, session, size);
                break;
            case "PUT":
                var digest = RegistryStore.ParseDigest(s.Query("digest") ?? throw OciErrors.DigestInvalid.With("PUT must name the blob's ?digest="));
                if (HasBody(s) && session.Size == 0 && store.Cas.Exists(digest))
                {
                    // POST then one PUT with the whole blob, which the store holds: nothing is written.
                    await store.Uploads.LinkKnownAsync(s.Name, s.Request.BodyReader, digest, s.AddBytesIn, s.Aborted).ConfigureAwait(false);
                    store.Uploads.Cancel(session);
                    metrics.UploadCompleted();
                    await Created(s, digest).ConfigureAwait(false);
                    break;
                }
                if (HasBody(s)) await AppendAsync(s, session, ContentRangeStart(s)).ConfigureAwait(false);
                await store.Uploads.CompleteAsync(session, digest, s.Aborted).ConfigureAwait(false);
                metrics.UploadCompleted();
                await Created(s, digest).ConfigureAwait(false);
                break;
            case "DELETE":
                store.Uploads.Cancel(session);
                s.Empty(204);
                break;
            default:
                throw OciErrors.Unsupported.With($"{s.Request.Method} is not supported on an upload session");
        }
    }

    private async Task<long> AppendAsync(RequestScope s, UploadSession session, long? start)
    {
        try
        {
            return await store.Uploads.AppendAsync(session, s.Request.BodyReader, start, s.AddBytesIn, s.Aborted).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.Error == OciErrors.RangeInvalid)
        {
            SessionHeaders(s, session, session.Size);
            throw;
        }
    }

    private static long? ContentRangeStart(RequestScope s)
    {
        var header = s.Request.Headers.ContentRange.ToString();
        if (header.Length == 0) return null;
        var spec = header.StartsWith("bytes", StringComparison.OrdinalIgnoreCase) ? header[5..].TrimStart(' ', '=') : header;
        var dash = spec.IndexOf('-');
        return dash > 0 && long.TryParse(spec.AsSpan(0, dash), out var start) && start >= 0 ? start
            : throw OciErrors.BlobUploadInvalid.With($"invalid Content-Range \"{header}\": expected <start>-<end>");
    }

    private static bool HasBody(RequestScope s) =>
        s.Request.ContentLength > 0 || (s.Request.ContentLength is null && s.Http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    private static void Accepted(RequestScope s, UploadSession session, long size, int status = 202)
    {
        SessionHeaders(s, session, size);
        s.Empty(status);
    }

    private static void SessionHeaders(RequestScope s, UploadSession session, long size)
    {
        s.Response.Headers.Location = $"/v2/{s.Name}/blobs/uploads/{session.Id}";
        s.Response.Headers["Docker-Upload-UUID"] = session.Id;
        s.Response.Headers.Range = $"0-{Math.Max(size - 1, 0)}";
    }

    private static Task Created(RequestScope s, Volt.Storage.Cas.Digest d)
    {
        s.Response.Headers.Location = $"/v2/{s.Name}/blobs/{d}";
        s.Response.Headers["Docker-Content-Digest"] = d.ToString();
        s.Empty(201);
        return Task.CompletedTask;
    }
}
