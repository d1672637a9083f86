using System.Text.Json;
using Volt.Core.IO;
using Volt.GitOps.Pipelines;

namespace Volt.GitOps.Hosting;

/// <summary>
/// What a running <c>gitops serve</c> publishes in <c>/var/run/volt/gitops-serve.json</c> (written at start, every
/// second while requests arrive, removed on stop). <c>gitops status</c> shows it; a file whose pid is gone is stale.
/// </summary>
public sealed record ServerState
{
    public required int Pid { get; init; }
    public required string Address { get; init; }
    public required DateTimeOffset Started { get; init; }
    public long Requests { get; init; }
    public long Deploys { get; init; }
    public DateTimeOffset Updated { get; init; }

    public static void Write(string path, ServerState s)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(s, GitOpsJson.Default.ServerState));
    }

    public static ServerState? TryRead(string path)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), GitOpsJson.Default.ServerState); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The state of a server that is running now: null when there is no file or its process is gone (stale).</summary>
    public static ServerState? Running(string path) => TryRead(path) is { } s && Posix.ProcessExists(s.Pid) && s.Pid != 0 ? s : null;
}
