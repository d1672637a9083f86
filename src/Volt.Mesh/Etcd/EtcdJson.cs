using System.Text.Json.Serialization;

namespace Volt.Mesh.Etcd;

// The etcd v3 JSON gateway's messages (grpc-gateway: bytes are base64, int64 are strings, zero values omitted).

public sealed class KeyValue
{
    [JsonPropertyName("key")] public byte[]? Key { get; set; }
    [JsonPropertyName("value")] public byte[]? Value { get; set; }
    [JsonPropertyName("create_revision")] public long CreateRevision { get; set; }
    [JsonPropertyName("mod_revision")] public long ModRevision { get; set; }
    [JsonPropertyName("version")] public long Version { get; set; }
    [JsonPropertyName("lease")] public long Lease { get; set; }
}

public sealed class ResponseHeader
{
    [JsonPropertyName("revision")] public long Revision { get; set; }
}

public sealed class RangeRequest
{
    [JsonPropertyName("key")] public byte[]? Key { get; set; }
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
}

public sealed class RangeResponse
{
    [JsonPropertyName("header")] public ResponseHeader? Header { get; set; }
    [JsonPropertyName("kvs")] public List<KeyValue>? Kvs { get; set; }
}

public sealed class PutRequest
{
    [JsonPropertyName("key")] public byte[]? Key { get; set; }
    [JsonPropertyName("value")] public byte[]? Value { get; set; }
    [JsonPropertyName("lease")] public long Lease { get; set; }
}

public sealed class DeleteRangeRequest
{
    [JsonPropertyName("key")] public byte[]? Key { get; set; }
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
}

public sealed class Compare
{
    [JsonPropertyName("result")] public string Result { get; set; } = "EQUAL";
    [JsonPropertyName("target")] public string Target { get; set; } = "CREATE";
    [JsonPropertyName("key")] public byte[]? Key { get; set; }
    [JsonPropertyName("create_revision")] public long? CreateRevision { get; set; }
    [JsonPropertyName("mod_revision")] public long? ModRevision { get; set; }
}

public sealed class RequestOp
{
    [JsonPropertyName("request_put")] public PutRequest? Put { get; set; }
    [JsonPropertyName("request_delete_range")] public DeleteRangeRequest? Delete { get; set; }
    [JsonPropertyName("request_range")] public RangeRequest? Range { get; set; }
}

public sealed class TxnRequest
{
    [JsonPropertyName("compare")] public List<Compare> Compare { get; set; } = [];
    [JsonPropertyName("success")] public List<RequestOp> Success { get; set; } = [];
    [JsonPropertyName("failure")] public List<RequestOp> Failure { get; set; } = [];
}

public sealed class TxnResponse
{
    [JsonPropertyName("header")] public ResponseHeader? Header { get; set; }
    [JsonPropertyName("succeeded")] public bool Succeeded { get; set; }
}

public sealed class LeaseGrantRequest
{
    [JsonPropertyName("TTL")] public long Ttl { get; set; }
}

public sealed class LeaseGrantResponse
{
    [JsonPropertyName("ID")] public long Id { get; set; }
    [JsonPropertyName("TTL")] public long Ttl { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}

public sealed class LeaseIdRequest
{
    [JsonPropertyName("ID")] public long Id { get; set; }
}

public sealed class LeaseKeepAliveResult
{
    [JsonPropertyName("ID")] public long Id { get; set; }
    [JsonPropertyName("TTL")] public long Ttl { get; set; }
}

public sealed class LeaseKeepAliveResponse
{
    [JsonPropertyName("result")] public LeaseKeepAliveResult? Result { get; set; }
}

public sealed class WatchCreateRequest
{
    [JsonPropertyName("key")] public byte[]? Key { get; set; }
    [JsonPropertyName("range_end")] public byte[]? RangeEnd { get; set; }
    [JsonPropertyName("start_revision")] public long StartRevision { get; set; }
}

public sealed class WatchRequest
{
    [JsonPropertyName("create_request")] public WatchCreateRequest? Create { get; set; }
}

public sealed class WatchEvent
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("kv")] public KeyValue? Kv { get; set; }
}

public sealed class WatchResult
{
    [JsonPropertyName("header")] public ResponseHeader? Header { get; set; }
    [JsonPropertyName("created")] public bool Created { get; set; }
    [JsonPropertyName("canceled")] public bool Canceled { get; set; }
    [JsonPropertyName("compact_revision")] public long CompactRevision { get; set; }
    [JsonPropertyName("events")] public List<WatchEvent>? Events { get; set; }
}

public sealed class WatchResponse
{
    [JsonPropertyName("result")] public WatchResult? Result { get; set; }
    [JsonPropertyName("error")] public EtcdError? Error { get; set; }
}

public sealed class EtcdError
{
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("code")] public int Code { get; set; }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(RangeRequest))]
[JsonSerializable(typeof(RangeResponse))]
[JsonSerializable(typeof(PutRequest))]
[JsonSerializable(typeof(DeleteRangeRequest))]
[JsonSerializable(typeof(TxnRequest))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(LeaseGrantRequest))]
[JsonSerializable(typeof(LeaseGrantResponse))]
[JsonSerializable(typeof(LeaseIdRequest))]
[JsonSerializable(typeof(LeaseKeepAliveResponse))]
[JsonSerializable(typeof(WatchRequest))]
[JsonSerializable(typeof(WatchResponse))]
[JsonSerializable(typeof(EtcdError))]
internal sealed partial class EtcdJson : JsonSerializerContext;
