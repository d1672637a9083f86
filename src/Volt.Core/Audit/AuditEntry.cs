using System.Text.Json.Serialization;

namespace Volt.Core.Audit;

/// <summary>
/// One line of <c>/var/log/volt/audit.log</c>: the seed's fields plus a sequence number and the SHA-256 of the
/// previous line (<c>prev</c>), which makes the log a hash chain that <c>volt audit verify</c> checks.
/// </summary>
public sealed record AuditEntry
{
    [JsonPropertyName("timestamp")] public required string Timestamp { get; init; }
    [JsonPropertyName("user")] public required string User { get; init; }
    [JsonPropertyName("uid")] public required uint Uid { get; init; }
    [JsonPropertyName("action")] public required string Action { get; init; }
    [JsonPropertyName("resource")] public required string Resource { get; init; }
    [JsonPropertyName("result")] public required string Result { get; init; }
    [JsonPropertyName("error")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
    /// <summary>What the action did beyond its result (a workload start: its sandbox's requested/enforced/dropped).</summary>
    [JsonPropertyName("detail")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Detail { get; init; }
    [JsonPropertyName("seq")] public long Seq { get; init; }
    [JsonPropertyName("prev")] public string Prev { get; init; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(AuditHead))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;

/// <summary>The chain head kept beside the log (<c>audit.log.head</c>) so removing or editing the last line shows.</summary>
public sealed record AuditHead([property: JsonPropertyName("seq")] long Seq, [property: JsonPropertyName("hash")] string Hash);
