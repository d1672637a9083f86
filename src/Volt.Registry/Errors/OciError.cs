using Volt.Core.Errors;

namespace Volt.Registry.Errors;

/// <summary>
/// One row of the error table: the OCI error code sent in the JSON body, the HTTP status, and the exit code the
/// CLI returns when an engine call fails with it.
/// </summary>
public sealed record OciError(string Code, int Status, ExitCode Exit, string Message)
{
    /// <summary>Raises this error with a detail message.</summary>
    public RegistryException With(string detail) => new(this, detail);
}

/// <summary>
/// Every error the registry returns, declared once. Codes and messages are the distribution-spec v1.1 table; the
/// statuses follow CNCF distribution's errcode table. Two rows reuse a spec code with a more precise status
/// (416 for an out-of-order chunk, 413 for an oversized manifest), as the spec's endpoint sections ask.
/// </summary>
public static class OciErrors
{
    public static readonly OciError BlobUnknown = new("BLOB_UNKNOWN", 404, ExitCode.NotFound, "blob unknown to registry");
    public static readonly OciError BlobUploadInvalid = new("BLOB_UPLOAD_INVALID", 400, ExitCode.Usage, "blob upload invalid");
    public static readonly OciError BlobUploadUnknown = new("BLOB_UPLOAD_UNKNOWN", 404, ExitCode.NotFound, "blob upload unknown to registry");
    public static readonly OciError DigestInvalid = new("DIGEST_INVALID", 400, ExitCode.Usage, "provided digest did not match uploaded content");
    public static readonly OciError ManifestBlobUnknown = new("MANIFEST_BLOB_UNKNOWN", 400, ExitCode.Dependency, "manifest references a manifest or blob unknown to registry");
    public static readonly OciError ManifestInvalid = new("MANIFEST_INVALID", 400, ExitCode.Usage, "manifest invalid");
    public static readonly OciError ManifestUnknown = new("MANIFEST_UNKNOWN", 404, ExitCode.NotFound, "manifest unknown to registry");
    public static readonly OciError NameInvalid = new("NAME_INVALID", 400, ExitCode.Usage, "invalid repository name");
    public static readonly OciError NameUnknown = new("NAME_UNKNOWN", 404, ExitCode.NotFound, "repository name not known to registry");
    public static readonly OciError SizeInvalid = new("SIZE_INVALID", 400, ExitCode.Usage, "provided length did not match content length");
    public static readonly OciError Unauthorized = new("UNAUTHORIZED", 401, ExitCode.Permission, "authentication required");
    public static readonly OciError Denied = new("DENIED", 403, ExitCode.Permission, "requested access to the resource is denied");
    public static readonly OciError Unsupported = new("UNSUPPORTED", 405, ExitCode.Usage, "the operation is unsupported");
    public static readonly OciError TooManyRequests = new("TOOMANYREQUESTS", 429, ExitCode.Resource, "too many requests");
    public static readonly OciError BadRequest = new("UNSUPPORTED", 400, ExitCode.Usage, "malformed request");
    public static readonly OciError NoRoute = new("UNSUPPORTED", 404, ExitCode.NotFound, "no such endpoint");
    public static readonly OciError Unknown = new("UNKNOWN", 500, ExitCode.General, "unknown error");
    public static readonly OciError RangeInvalid = new("BLOB_UPLOAD_INVALID", 416, ExitCode.Usage, "requested range not satisfiable");
    public static readonly OciError ManifestTooLarge = new("MANIFEST_INVALID", 413, ExitCode.Resource, "manifest too large");
}

/// <summary>An <see cref="OciError"/> raised by the registry engine; the HTTP layer turns it into the JSON body.</summary>
public sealed class RegistryException(OciError error, string detail)
    : VoltException(error.Exit, detail)
{
    public OciError Error { get; } = error;
}
