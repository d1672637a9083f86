using System.Text;

namespace Volt.Core.IO;

/// <summary>
/// Whole-file writes that are never seen half-done: write a temp file beside the target, fsync it,
/// rename over the target, fsync the directory.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> data)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Random.Shared.Next():x}.tmp");
        try
        {
            using (var handle = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, data, 0);
                Posix.FsyncOrThrow(handle);
            }
            File.Move(tmp, path, overwrite: true);
            Posix.FsyncDirectory(dir);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>
    /// Several whole-file writes made durable together, each still never seen half-done: every temp file is written,
    /// then one <c>syncfs(2)</c> makes them all durable (one journal commit instead of one per file), then each is
    /// renamed over its target in order, then each distinct directory is fsynced once. A crash leaves every target
    /// either as it was or complete; the renames happen in the order given.
    /// </summary>
    /// <param name="alsoDurable">A file on the same filesystem written (not fsynced) by the caller: made durable by the same syncfs.</param>
    public static void WriteAll(IReadOnlyList<(string Path, byte[] Data)> files, string? alsoDurable = null)
    {
        if (files.Count == 0) return;
        if (files.Count == 1 && alsoDurable is null) { WriteAllBytes(files[0].Path, files[0].Data); return; }
        var staged = new List<(string Tmp, string Target, string Dir)>(files.Count);
        try
        {
            foreach (var (path, data) in files)
            {
                var full = Path.GetFullPath(path);
                var dir = Path.GetDirectoryName(full)!;
                Directory.CreateDirectory(dir);
                var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Random.Shared.Next():x}.tmp");
                staged.Add((tmp, full, dir));
                using var handle = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                RandomAccess.Write(handle, data, 0);
            }
            Posix.SyncFileSystem(staged[0].Dir);
            foreach (var (tmp, target, _) in staged) File.Move(tmp, target, overwrite: true);
        }
        catch
        {
            foreach (var (tmp, _, _) in staged) TryDelete(tmp);
            throw;
        }
        foreach (var dir in staged.Select(s => s.Dir).Distinct(StringComparer.Ordinal)) Posix.FsyncDirectory(dir);
    }

    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
