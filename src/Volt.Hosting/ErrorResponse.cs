using System.Text.Json.Serialization;

namespace Volt.Hosting;

/// <summary>
/// The error body of Volt's own JSON APIs (voltd): the exit code the client should return and the one-line message.
/// The HTTP status is <see cref="HttpErrors.StatusFor(Volt.Core.Errors.ExitCode)"/> of the code. (The registry
/// answers the distribution spec's error JSON instead; the GitOps webhook answers providers with a text line.)
/// </summary>
public sealed record ErrorResponse(int Code, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class HostingJson : JsonSerializerContext;
