namespace Volt.Registry.Http;

/// <summary>Which OCI endpoint a path names.</summary>
public enum RouteKind { Base, Catalog, Tags, Manifest, Blob, UploadStart, Upload, Referrers, Token, NotFound }

/// <summary>
/// A parsed request path. Repository names contain '/', so the path is matched from its end: the last
/// <c>/manifests/&lt;ref&gt;</c>, <c>/blobs/…</c>, <c>/tags/list</c> or <c>/referrers/&lt;digest&gt;</c> splits it.
/// The name is validated afterwards (never used as a path before that).
/// </summary>
public readonly record struct Route(RouteKind Kind, string Name = "", string Argument = "")
{
    public static Route Parse(string path)
    {
        if (path == "/token") return new(RouteKind.Token);
        if (path is "/v2" or "/v2/") return new(RouteKind.Base);
        if (!path.StartsWith("/v2/", StringComparison.Ordinal)) return new(RouteKind.NotFound);
        var rest = path.AsSpan(4);
        if (rest.SequenceEqual("_catalog")) return new(RouteKind.Catalog);
        var parts = rest.ToString().Split('/');
        var n = parts.Length;
        string Name(int drop) => string.Join('/', parts, 0, n - drop);
        if (n >= 3 && parts[n - 2] == "tags" && parts[n - 1] == "list") return new(RouteKind.Tags, Name(2));
        if (n >= 4 && parts[n - 3] == "blobs" && parts[n - 2] == "uploads")
            return parts[n - 1].Length == 0 ? new(RouteKind.UploadStart, Name(3)) : new(RouteKind.Upload, Name(3), parts[n - 1]);
        if (n >= 3 && parts[n - 2] == "blobs" && parts[n - 1] == "uploads") return new(RouteKind.UploadStart, Name(2));
        if (n >= 3 && parts[n - 2] == "manifests" && parts[n - 1].Length > 0) return new(RouteKind.Manifest, Name(2), parts[n - 1]);
        if (n >= 3 && parts[n - 2] == "blobs" && parts[n - 1].Length > 0) return new(RouteKind.Blob, Name(2), parts[n - 1]);
        if (n >= 3 && parts[n - 2] == "referrers" && parts[n - 1].Length > 0) return new(RouteKind.Referrers, Name(2), parts[n - 1]);
        return new(RouteKind.NotFound);
    }

    /// <summary>The access an operation on this route needs.</summary>
    public string RequiredAccess(string method) =>
        Kind == RouteKind.Upload || method is not ("GET" or "HEAD") ? Auth.Access.Push : Auth.Access.Pull;
}
