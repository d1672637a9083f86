using System.Text.Json;
using System.Text.Json.Serialization;
using Volt.Core.IO;

namespace Volt.Compose.Planning;

/// <summary>
/// What a stack runs, as the executor last left it (written after every instance change, so an <c>up</c> killed
/// halfway is converged by the next one and cleaned by <c>down</c>).
/// <code>
/// /var/lib/volt/stacks/&lt;stack&gt;/
///   stack.json      this record
///   files/          secrets and configs given by environment: or content:, mounted read-only
/// </code>
/// </summary>
public sealed record StackState
{
    public required string Name { get; init; }
    public IReadOnlyList<string> Files { get; init; } = [];
    public string ProjectDir { get; init; } = "";
    public SortedDictionary<string, InstanceSpec> Instances { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Volt networks the stack created (removed by down).</summary>
    public SortedSet<string> Networks { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Each of the stack's Volt network names → the key the compose file gives it (what <c>compose ps</c> shows).</summary>
    public SortedDictionary<string, string> NetworkKeys { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Volumes the stack created (removed by down -v).</summary>
    public SortedSet<string> Volumes { get; init; } = new(StringComparer.Ordinal);
    public DateTimeOffset Updated { get; init; }
}

/// <summary>The stacks directory: one <see cref="StackState"/> per stack, saved atomically.</summary>
public sealed class StackStore(string root)
{
    public string Root { get; } = root;
    public string Dir(string stack) => Path.Combine(Root, stack);
    public string FilesDir(string stack) => Path.Combine(Dir(stack), "files");
    private string StateFile(string stack) => Path.Combine(Dir(stack), "stack.json");

    public StackState? TryLoad(string stack)
    {
        var f = StateFile(stack);
        if (!File.Exists(f)) return null;
        try { return JsonSerializer.Deserialize(File.ReadAllText(f), StackJson.Default.StackState); }
        catch (JsonException e) { throw new Volt.Core.Errors.VoltException(Volt.Core.Errors.ExitCode.InvalidConfig, $"stack state {f} is corrupt: {e.Message}", e); }
    }

    public void Save(StackState state)
    {
        Directory.CreateDirectory(Dir(state.Name));
        AtomicFile.WriteAllText(StateFile(state.Name), JsonSerializer.Serialize(state, StackJson.Default.StackState));
    }

    public void Delete(string stack)
    {
        if (Directory.Exists(Dir(stack))) Directory.Delete(Dir(stack), recursive: true);
    }

    public IReadOnlyList<StackState> List()
    {
        if (!Directory.Exists(Root)) return [];
        return [.. Directory.EnumerateDirectories(Root).Select(d => TryLoad(Path.GetFileName(d))).OfType<StackState>().OrderBy(s => s.Name, StringComparer.Ordinal)];
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StackState))]
internal sealed partial class StackJson : JsonSerializerContext;
