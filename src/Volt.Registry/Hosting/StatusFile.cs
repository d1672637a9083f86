using System.Text.Json;
using Volt.Core.IO;
using Volt.Registry.Json;

namespace Volt.Registry.Hosting;

/// <summary>
/// <c>/var/run/volt/registry-status.json</c>: the last <see cref="StatusSnapshot"/> a server wrote (every few
/// seconds and on shutdown). The CLI reads it; a snapshot whose pid is gone describes a stopped server.
/// </summary>
public static class StatusFile
{
    public static void Write(string path, StatusSnapshot s) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(s, RegistryJson.Default.StatusSnapshot));

    public static StatusSnapshot? TryRead(string path)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), RegistryJson.Default.StatusSnapshot); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }
}
