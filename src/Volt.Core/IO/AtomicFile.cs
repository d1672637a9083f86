using System.Text;

namespace Volt.Core.IO;

/// <summary>
/// Whole-file writes that are never seen half-done: write a temp file beside the target, fsync it,
/// rename over the target, fsync the directory.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <param name="durable">False: no fsync (see <see cref="WriteAll"/>); still atomic for every reader while the machine runs.</param>
    /// <param name="mode">The file's mode from its creation on (e.g. 0600 for a secret: never readable by others, not even
    /// between the write and a chmod); null: the default 0666 minus the umask.</param>
    /// <param name="unwatched">With <paramref name="durable"/> false: nobody watches the directory with inotify, so the
    /// new file is swapped in (<see cref="RawFile.SwapInto"/>) instead of renamed over the old one — ext4 flushes a file
    /// renamed over another, the largest cost of a record write (a service's state on every start).</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> data, bool durable = true, UnixFileMode? mode = null, bool unwatched = false)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Random.Shared.Next():x}.tmp");
        try
        {
            using (var file = new FileStream(tmp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode }))
            {
                RandomAccess.Write(file.SafeFileHandle, data, 0);
                if (durable) Posix.FsyncOrThrow(file.SafeFileHandle);
            }
            if (unwatched && !durable) RawFile.SwapInto(tmp, path);
            else File.Move(tmp, path, overwrite: true);
            if (durable) Posix.FsyncDirectory(dir);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>
    /// Several whole-file writes made durable together, each still never seen half-done: every temp file is written and
    /// fsynced, then each is renamed over its target in order, then each distinct directory is fsynced once. A crash
    /// leaves every target either as it was or complete; the renames happen in the order given.
    /// </summary>
    /// <remarks>
    /// One fsync per file, not one <c>syncfs(2)</c> for the batch: syncfs writes back every dirty page of the whole
    /// filesystem, other processes' included, and took 70–880 ms on a machine shared with builds (an fsync of a small
    /// file stays under 2 ms there). syncfs stays for the CAS's batches of thousands of objects.
    /// <para>
    /// <paramref name="durable"/> false (records nobody needs after a crash: a <c>--rm</c> container's) skips every fsync:
    /// each target is still either the old or the whole new file to every reader while the machine runs; after a crash
    /// it may be empty, which the readers take for "not written" (see <see cref="IsTornRecord"/>).
    /// </para>
    /// </remarks>
    /// <param name="deferDirectory">
    /// A directory whose fsync the caller makes itself, later (a durable write into it that follows: one directory
    /// fsync then covers both renames). Until then a crash may lose the renames into it, never tear a file.
    /// </param>
    public static void WriteAll(IReadOnlyList<(string Path, byte[] Data)> files, bool durable = true, string? deferDirectory = null)
    {
        if (files.Count == 0) return;
        if (files.Count == 1 && deferDirectory is null) { WriteAllBytes(files[0].Path, files[0].Data, durable); return; }
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
                if (durable) Posix.FsyncOrThrow(handle);
            }
            foreach (var (tmp, target, _) in staged) File.Move(tmp, target, overwrite: true);
        }
        catch
        {
            foreach (var (tmp, _, _) in staged) TryDelete(tmp);
            throw;
        }
        var deferred = deferDirectory is null ? null : Path.GetFullPath(deferDirectory).TrimEnd('/');
        if (durable)
            foreach (var dir in staged.Select(s => s.Dir).Distinct(StringComparer.Ordinal).Where(d => d != deferred)) Posix.FsyncDirectory(dir);
    }

    /// <summary>
    /// True for what a crash leaves of a file written without fsync (<c>durable: false</c>): no bytes, or only
    /// NUL bytes (filesystems that zero-fill unwritten blocks). Never a file Volt wrote completely (JSON is never empty).
    /// </summary>
    public static bool IsTornRecord(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0) < 0;

    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
