using System.Text.Json.Serialization;
using Volt.Registry.Auth;
using Volt.Registry.Hosting;
using Volt.Registry.Storage;

namespace Volt.Registry.Json;

/// <summary>One entry of an OCI error body.</summary>
public sealed record ErrorEntry(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("detail")] string? Detail);

/// <summary><c>{"errors":[…]}</c>, the spec's error body.</summary>
public sealed record ErrorBody([property: JsonPropertyName("errors")] IReadOnlyList<ErrorEntry> Errors);

/// <summary>The tags list response.</summary>
public sealed record TagList(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);

/// <summary>The <c>_catalog</c> response.</summary>
public sealed record Catalog([property: JsonPropertyName("repositories")] IReadOnlyList<string> Repositories);

/// <summary>The token endpoint's response, in both the Docker and the OAuth2 field names.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("issued_at")] string IssuedAt);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(TagList))]
[JsonSerializable(typeof(Catalog))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(AccessToken))]
[JsonSerializable(typeof(UploadState))]
[JsonSerializable(typeof(StatusSnapshot))]
internal sealed partial class RegistryJson : JsonSerializerContext;
