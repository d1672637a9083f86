using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Volt.Registry.Storage;

/// <summary>The on-disk state of an upload session (<c>state.json</c>); the received bytes are <c>data</c>.</summary>
public sealed record UploadState(
    [property: JsonPropertyName("repository")] string Repository,
    [property: JsonPropertyName("created")] DateTimeOffset Created);

/// <summary>
/// An open upload session. The data file's length is the number of bytes received (the single source of truth);
/// the running SHA-256 lives only in memory and is used when it covers exactly those bytes, otherwise completion
/// re-hashes the file (after a registry restart, or when the client asked for sha512).
/// </summary>
public sealed class UploadSession
{
    internal UploadSession(string id, string dir, UploadState state)
    {
        Id = id; Directory = dir; State = state;
    }

    public string Id { get; }
    public string Directory { get; }
    public UploadState State { get; }
    public string DataPath => Path.Combine(Directory, "data");
    public string StatePath => Path.Combine(Directory, "state.json");

    /// <summary>Bytes received so far.</summary>
    public long Size => new FileInfo(DataPath) is { Exists: true } f ? f.Length : 0;

    /// <summary>Serialises requests on one session (a client may retry while its previous PATCH is still draining).</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    internal IncrementalHash? Sha256 { get; set; }

    /// <summary>How many bytes <see cref="Sha256"/> has seen; it is only trusted when this equals <see cref="Size"/>.</summary>
    internal long Hashed { get; set; }

    internal void DropHasher()
    {
        Sha256?.Dispose();
        Sha256 = null;
        Hashed = -1;
    }
}
