using Microsoft.AspNetCore.Http;

namespace Volt.Hosting;

/// <summary>
/// Malformed requests that Kestrel or the form reader reject while an endpoint reads them: a bad chunk-size line, a
/// form over its field, value or boundary limits, multipart without a boundary. They are the client's fault, so
/// every Volt server answers them with a 4xx (never 500). One place for the servers to ask.
/// </summary>
public static class BadRequests
{
    /// <summary>The status to answer when <paramref name="e"/> is a malformed-request failure; null otherwise.</summary>
    public static int? StatusFor(Exception e) => e switch
    {
        BadHttpRequestException b => b.StatusCode is >= 400 and < 500 ? b.StatusCode : StatusCodes.Status400BadRequest,
        // FormFeature and MultipartReader throw this for every limit and syntax error of a form body.
        InvalidDataException => StatusCodes.Status400BadRequest,
        // Kestrel's chunked-body reader reports a chunk-size line that overflows (≥ 2^31) this way.
        IOException { InnerException: OverflowException or BadHttpRequestException } => StatusCodes.Status400BadRequest,
        _ => null,
    };
}
