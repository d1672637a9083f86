using System.Text;
using System.Text.Json;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.GitOps.Pipelines;

/// <summary>
/// Pipelines and their deploy history on disk. Writes are atomic (pipeline.json) or whole appended lines
/// (history.jsonl under a lock), so state survives crashes and restarts.
/// <code>
/// /var/lib/volt/gitops/
///   &lt;name&gt;/
///     pipeline.json     the pipeline (snake_case JSON, mode 0600: it holds the secret)
///     history.jsonl     one HistoryEntry per line, oldest first
///     deployed          the last successfully deployed commit/revision
///     repo/             git clone (or svn export) of the last deploy
///     .lock             flock: one deploy of this pipeline at a time
/// </code>
/// </summary>
public sealed class PipelineStore(string root)
{
    public string Root { get; } = root;

    public string Dir(string name) => Path.Combine(Root, name);
    public string RepoDir(string name) => Path.Combine(Dir(name), "repo");
    private string PipelineFile(string name) => Path.Combine(Dir(name), "pipeline.json");
    private string HistoryFile(string name) => Path.Combine(Dir(name), "history.jsonl");
    private string DeployedFile(string name) => Path.Combine(Dir(name), "deployed");
    public string LockFile(string name) => Path.Combine(Dir(name), ".lock");

    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 63 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name[0] != '.';

    public static void ValidateName(string name, string option = "pipeline name")
    {
        if (!IsValidName(name))
            throw VoltException.Usage($"invalid {option} \"{Sources.SourceControl.Shown(name ?? "", 40)}\": use 1-63 letters, digits, '-', '_' or '.' (not starting with '.')");
    }

    public bool Exists(string name) => IsValidName(name) && File.Exists(PipelineFile(name));

    public void Create(Pipeline p)
    {
        ValidateName(p.Name);
        Directory.CreateDirectory(Root);
        using var _ = FileLock.Exclusive(Path.Combine(Root, ".lock"));
        if (Exists(p.Name)) throw VoltException.Exists($"pipeline \"{p.Name}\" already exists");
        Save(p);
    }

    public void Save(Pipeline p)
    {
        // 0700: the secret is never readable by others, not even between the write and the chmod below.
        Directory.CreateDirectory(Dir(p.Name), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AtomicFile.WriteAllBytes(PipelineFile(p.Name), JsonSerializer.SerializeToUtf8Bytes(p, GitOpsJson.Default.Pipeline));
        try { File.SetUnixFileMode(PipelineFile(p.Name), UnixFileMode.UserRead | UnixFileMode.UserWrite); }
        catch (IOException) { }
    }

    public Pipeline Get(string name) => TryGet(name) ?? throw VoltException.NotFound($"pipeline \"{name}\" not found");

    public Pipeline? TryGet(string name)
    {
        if (!IsValidName(name)) return null;
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(PipelineFile(name)), GitOpsJson.Default.Pipeline); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (JsonException e) { throw new VoltException(ExitCode.InvalidConfig, $"pipeline \"{name}\" is corrupt ({PipelineFile(name)}): {e.Message}", e); }
    }

    /// <summary>Every pipeline, by name. A corrupt pipeline file throws (exit 2) unless <paramref name="onCorrupt"/> is
    /// given: the servers' loops pass it, so one damaged file is reported and skipped instead of stopping every
    /// other pipeline's polling and webhooks.</summary>
    public IReadOnlyList<Pipeline> List(Action<VoltException>? onCorrupt = null)
    {
        if (!Directory.Exists(Root)) return [];
        var result = new List<Pipeline>();
        foreach (var name in Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
        {
            try { if (TryGet(name) is { } p) result.Add(p); }
            catch (VoltException e) when (onCorrupt is not null && e.Code == ExitCode.InvalidConfig) { onCorrupt(e); }
        }
        return result;
    }

    public void Delete(string name)
    {
        if (!Exists(name)) throw VoltException.NotFound($"pipeline \"{name}\" not found");
        // Hide the pipeline first (queued deploys then find it gone), then wait for a running deploy of it to
        // finish: nothing is deleted half-deployed.
        File.Move(PipelineFile(name), PipelineFile(name) + ".deleted", overwrite: true);
        using (FileLock.Exclusive(LockFile(name)))
        {
            try { Directory.Delete(Dir(name), recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }

    public void Append(string name, HistoryEntry e)
    {
        if (!Directory.Exists(Dir(name))) return; // deleted meanwhile: record nothing
        var compact = JsonSerializer.Serialize(e, GitOpsLineJson.Default.HistoryEntry) + "\n";
        using var _ = FileLock.Exclusive(Path.Combine(Dir(name), ".history.lock"));
        using var f = new FileStream(HistoryFile(name), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        f.Write(Encoding.UTF8.GetBytes(compact));
        f.Flush(flushToDisk: true);
    }

    /// <summary>History, newest first; a torn last line (crash mid-append) is skipped.</summary>
    public IReadOnlyList<HistoryEntry> History(string name, int? limit = null)
    {
        var file = HistoryFile(name);
        if (!File.Exists(file)) return [];
        var list = new List<HistoryEntry>();
        foreach (var line in File.ReadAllLines(file).Reverse())
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try { if (JsonSerializer.Deserialize(line, GitOpsLineJson.Default.HistoryEntry) is { } e) list.Add(e); }
            catch (JsonException) { continue; }
            if (limit is { } l && list.Count >= l) break;
        }
        return list;
    }

    public string? Deployed(string name) => File.Exists(DeployedFile(name)) ? File.ReadAllText(DeployedFile(name)).Trim() : null;

    public void SetDeployed(string name, string commit)
    {
        if (Directory.Exists(Dir(name))) AtomicFile.WriteAllText(DeployedFile(name), commit + "\n");
    }
}
