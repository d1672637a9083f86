using System.Text.Json;
using Volt.Core.Errors;

namespace Volt.Hosting;

/// <summary>
/// The one map between Volt's exit codes and HTTP statuses, for every Volt server (voltd, the registry, the GitOps
/// webhook server) and for the clients that turn an answer back into an exit code. A server answers a failure with
/// <see cref="StatusFor(Exception)"/>; a client that got no error body of its own uses <see cref="ExitCodeFor(int)"/>.
/// Where two codes share a status (exists and conflict are both 409) the way back picks the first of the table;
/// voltd's <see cref="ErrorResponse"/> carries the exact code, so only foreign answers lose the difference.
/// </summary>
public static class HttpErrors
{
    /// <summary>The status a failure with <paramref name="code"/> is answered with.</summary>
    public static int StatusFor(ExitCode code) => code switch
    {
        ExitCode.Ok => 200,
        ExitCode.Usage => 400,
        ExitCode.Permission => 403,
        ExitCode.NotFound => 404,
        ExitCode.AlreadyExists or ExitCode.Conflict => 409,
        ExitCode.InvalidConfig => 422,
        ExitCode.Dependency => 424,
        ExitCode.Resource => 507,
        ExitCode.Network => 502,
        ExitCode.Daemon or ExitCode.Interrupted => 503,
        ExitCode.Timeout => 504,
        _ => 500,
    };

    /// <summary>
    /// The status for any exception a request handler let out: a <see cref="VoltException"/>'s code through the table,
    /// a malformed request (<see cref="BadRequests"/>) or unreadable JSON as the client's fault, anything else 500.
    /// </summary>
    public static int StatusFor(Exception e) => e switch
    {
        VoltException v => StatusFor(v.Code),
        JsonException => 400,
        _ => BadRequests.StatusFor(e) ?? 500,
    };

    /// <summary>The exit code for <paramref name="e"/> (what <see cref="StatusFor(Exception)"/> maps from).</summary>
    public static ExitCode ExitCodeFor(Exception e) => e switch
    {
        VoltException v => v.Code,
        JsonException => ExitCode.Usage,
        _ => BadRequests.StatusFor(e) is { } s ? ExitCodeFor(s) : ExitCode.General,
    };

    /// <summary>The way back, for an answer that carries no exit code: 2xx → ok, any other status → its row.</summary>
    public static ExitCode ExitCodeFor(int status) => status switch
    {
        >= 200 and < 300 => ExitCode.Ok,
        400 or 405 or 411 or 413 or 414 or 415 or 416 or 431 => ExitCode.Usage,
        401 or 403 => ExitCode.Permission,
        404 or 410 => ExitCode.NotFound,
        409 or 412 => ExitCode.Conflict,
        422 => ExitCode.InvalidConfig,
        424 => ExitCode.Dependency,
        429 or 507 => ExitCode.Resource,
        502 => ExitCode.Network,
        503 => ExitCode.Daemon,
        408 or 504 => ExitCode.Timeout,
        _ => ExitCode.General,
    };

    /// <summary>The one error body of Volt's own JSON APIs for <paramref name="e"/>.</summary>
    public static ErrorResponse Body(Exception e) => new((int)ExitCodeFor(e), Core.IO.RevertReport.MessageOf(e)); // failed undos (RevertReport) travel with the error

    /// <summary>
    /// The exception a client raises for an error answer: the body's code and message when it is an
    /// <see cref="ErrorResponse"/> with a process exit code (1-255), else the status's row and <paramref name="fallback"/>.
    /// </summary>
    public static VoltException ToException(int status, ReadOnlySpan<byte> body, string fallback)
    {
        ErrorResponse? error = null;
        if (body.Length > 0)
            try { error = JsonSerializer.Deserialize(body, HostingJson.Default.ErrorResponse); }
            catch (JsonException) { }
        // Any process exit code but 0 travels: beside the seed's table, a container's command that is not found (127)
        // or not executable (126) is the exit code the CLI must return.
        return error is { Message: not null, Code: > 0 and <= 255 }
            ? new VoltException((ExitCode)error.Code, error.Message)
            : new VoltException(ExitCodeFor(status) is var c && c != ExitCode.Ok ? c : ExitCode.General, fallback);
    }

    /// <summary><paramref name="error"/> as JSON bytes (<c>{"code":3,"message":"..."}</c>).</summary>
    public static byte[] Serialize(ErrorResponse error) => JsonSerializer.SerializeToUtf8Bytes(error, HostingJson.Default.ErrorResponse);
}
