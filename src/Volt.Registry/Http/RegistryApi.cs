using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Volt.Core.Errors;
using Volt.Registry.Auth;
using Volt.Registry.Errors;
using Volt.Registry.Hosting;
using Volt.Registry.Json;
using Volt.Registry.Storage;

namespace Volt.Registry.Http;

/// <summary>
/// The request pipeline, one function: route → validate the name → authorize → endpoint; every
/// <see cref="RegistryException"/> becomes its OCI JSON error body here and nowhere else; every request is
/// counted and logged.
/// </summary>
public sealed class RegistryApi(RegistryStore store, TokenService tokens, Authenticator auth, RegistryMetrics metrics,
    RequestLog log, TimeProvider time)
{
    private readonly ManifestEndpoints _manifests = new(store);
    private readonly BlobEndpoints _blobs = new(store);
    private readonly UploadEndpoints _uploads = new(store, metrics, auth);
    private readonly DiscoveryEndpoints _discovery = new(store);
    private readonly TokenEndpoint _token = new(tokens, auth, time);

    public async Task HandleAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var s = new RequestScope(http, Route.Parse(http.Request.Path.Value ?? ""));
        try
        {
            await DispatchAsync(s).ConfigureAwait(false);
        }
        catch (RegistryException e)
        {
            await WriteErrorAsync(s, e).ConfigureAwait(false);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            http.Response.StatusCode = 499; // client went away; nothing to answer
        }
        catch (Exception e) when (Volt.Hosting.BadRequests.StatusFor(e) is { } badStatus)
        {
            var error = s.Route.Kind is RouteKind.Upload or RouteKind.UploadStart ? OciErrors.BlobUploadInvalid
                : s.Route.Kind == RouteKind.Manifest ? OciErrors.ManifestInvalid : OciErrors.BadRequest;
            await WriteErrorAsync(s, error.With($"bad request: {e.Message}"), badStatus).ConfigureAwait(false);
        }
        catch (VoltException e)
        {
            // A Volt failure that is not a registry error (storage, config): the spec's UNKNOWN body, with the status
            // every Volt server answers its exit code with.
            await WriteErrorAsync(s, OciErrors.Unknown.With(e.Message), Volt.Hosting.HttpErrors.StatusFor(e.Code)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await WriteErrorAsync(s, OciErrors.Unknown.With(e.Message)).ConfigureAwait(false);
        }
        finally
        {
            var status = http.Response.StatusCode;
            metrics.Request(status, s.BytesIn, s.BytesOut);
            log.Write(time.GetUtcNow(), http.Connection.RemoteIpAddress?.ToString(), http.Request.Method, http.Request.Path.Value ?? "",
                status, s.BytesIn, s.BytesOut, Stopwatch.GetElapsedTime(started));
        }
    }

    private Task DispatchAsync(RequestScope s)
    {
        switch (s.Route.Kind)
        {
            case RouteKind.Token: return _token.HandleAsync(s);
            case RouteKind.NotFound: throw OciErrors.NoRoute.With($"no endpoint at {s.Request.Path}");
            case RouteKind.Base: return BaseAsync(s);
            case RouteKind.Catalog:
                s.Token = auth.Authorize(s.Request, Access.Pull, null);
                return _discovery.CatalogAsync(s);
        }
        RepositoryName.Validate(s.Name);
        s.Token = auth.Authorize(s.Request, s.Route.RequiredAccess(s.Request.Method), s.Name);
        return s.Route.Kind switch
        {
            RouteKind.Manifest => _manifests.HandleAsync(s),
            RouteKind.Blob => _blobs.HandleAsync(s),
            RouteKind.UploadStart => _uploads.StartAsync(s),
            RouteKind.Upload => _uploads.HandleAsync(s),
            RouteKind.Tags => _discovery.TagsAsync(s),
            RouteKind.Referrers => _discovery.ReferrersAsync(s),
            _ => throw OciErrors.NoRoute.With($"no endpoint at {s.Request.Path}"),
        };
    }

    /// <summary>
    /// <c>/v2/</c>: 200 for a valid token; without one, 401 with the challenge, so that <c>podman login</c>,
    /// <c>skopeo login</c> and <c>oras login</c> run the token flow and actually check the credentials.
    /// </summary>
    private Task BaseAsync(RequestScope s)
    {
        if (auth.Identify(s.Request) is null) throw OciErrors.Unauthorized.With("authentication required");
        s.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        return s.WriteAsync(200, "application/json", "{}"u8.ToArray());
    }

    private static async Task WriteErrorAsync(RequestScope s, RegistryException e, int? status = null)
    {
        var http = s.Http;
        if (http.Response.HasStarted) { http.Abort(); return; }
        http.Response.StatusCode = status ?? e.Error.Status;
        http.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        if (e.Error.Status == 401)
            http.Response.Headers.WWWAuthenticate = Authenticator.Challenge(s.Request, s.Name.Length > 0 ? s.Name : null,
                s.Route.RequiredAccess(s.Request.Method));
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorBody([new ErrorEntry(e.Error.Code, e.Error.Message, e.Message)]), RegistryJson.Default.ErrorBody);
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.ContentLength = body.Length;
        if (HttpMethods.IsHead(s.Request.Method)) return;
        s.BytesOut += body.Length;
        await http.Response.Body.WriteAsync(body).ConfigureAwait(false);
    }
}
