using System.Text.Json.Serialization;

namespace Volt.Registry.Hosting;

/// <summary>The counters a running server publishes to <c>/var/run/volt/registry-status.json</c>.</summary>
public sealed record StatusSnapshot(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("started")] DateTimeOffset Started,
    [property: JsonPropertyName("updated")] DateTimeOffset Updated,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("requests_2xx")] long Status2xx,
    [property: JsonPropertyName("requests_3xx")] long Status3xx,
    [property: JsonPropertyName("requests_4xx")] long Status4xx,
    [property: JsonPropertyName("requests_5xx")] long Status5xx,
    [property: JsonPropertyName("bytes_in")] long BytesIn,
    [property: JsonPropertyName("bytes_out")] long BytesOut,
    [property: JsonPropertyName("uploads_started")] long UploadsStarted,
    [property: JsonPropertyName("uploads_completed")] long UploadsCompleted,
    [property: JsonPropertyName("uploads_expired")] long UploadsExpired);

/// <summary>Lock-free request counters.</summary>
public sealed class RegistryMetrics
{
    private readonly long[] _byClass = new long[6];
    private long _bytesIn, _bytesOut, _uploadsStarted, _uploadsCompleted, _uploadsExpired;

    public void Request(int status, long bytesIn, long bytesOut)
    {
        Interlocked.Increment(ref _byClass[Math.Clamp(status / 100, 0, 5)]);
        if (bytesIn > 0) Interlocked.Add(ref _bytesIn, bytesIn);
        if (bytesOut > 0) Interlocked.Add(ref _bytesOut, bytesOut);
    }

    public void UploadStarted() => Interlocked.Increment(ref _uploadsStarted);
    public void UploadCompleted() => Interlocked.Increment(ref _uploadsCompleted);
    public void UploadsExpired(int n) => Interlocked.Add(ref _uploadsExpired, n);

    public StatusSnapshot Snapshot(int pid, string address, DateTimeOffset started, DateTimeOffset now)
    {
        long C(int i) => Interlocked.Read(ref _byClass[i]);
        return new StatusSnapshot(pid, address, started, now, C(1) + C(2) + C(3) + C(4) + C(5), C(2), C(3), C(4), C(5),
            Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut), Interlocked.Read(ref _uploadsStarted),
            Interlocked.Read(ref _uploadsCompleted), Interlocked.Read(ref _uploadsExpired));
    }
}
