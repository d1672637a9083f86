using System.Collections.Concurrent;
using System.Diagnostics;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Threading;

namespace Volt.Storage.Cas;

/// <summary>Live counters of a running build, polled by a progress display.</summary>
public sealed class BuildCounters
{
    public long FilesTotal, BytesTotal, FilesDone, BytesDone;
}

/// <summary>What <c>volt cas build</c> did.</summary>
public sealed record BuildResult(string Ref, Digest Manifest, long Files, long Dirs, long Others, long Bytes,
    long NewObjects, long NewBytes, long DedupBytes, TimeSpan Elapsed);

/// <summary>
/// Stores a directory tree: every regular file becomes an object (in parallel over files, and within large files
/// through BLAKE3's parallel subtree hashing), then a <see cref="TreeManifest"/> object and a ref. New objects are
/// staged as dot-files in their own fan-out directory (creates spread over 256 directories instead of contending on
/// tmp/) and become visible only after one syncfs at the end, so a failed or killed build leaves
/// nothing half-stored and costs one flush instead of an fsync per file.
/// </summary>
public sealed class TreeBuilder(CasStore store, int parallelism)
{
    public BuildResult Build(string dir, string refName, BuildCounters? counters = null, CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        RefStore.Validate(refName);
        var root = Path.GetFullPath(dir);
        if (!Directory.Exists(root))
            throw VoltException.NotFound(File.Exists(root) ? $"\"{dir}\" is not a directory" : $"directory \"{dir}\" not found");
        counters ??= new BuildCounters();
        store.EnsureCreated();
        using var writerLock = store.WriterLock();

        var scan = TreeScanner.Scan(root, ct);
        counters.FilesTotal = scan.Files.Count;
        counters.BytesTotal = scan.Files.Sum(f => f.Size);

        var staged = new ConcurrentBag<(string Temp, Digest Digest, long Size)>();
        var claimed = new ConcurrentDictionary<Digest, byte>();
        long dedupBytes = 0;
        // Hashing inside a file on several threads only pays when there are fewer files than workers.
        var writer = new FileObjectWriter(store, parallelHashing: scan.Files.Count < parallelism, ct);
        try
        {
            var order = scan.Files.OrderByDescending(f => f.Size).ToArray();
            Workers.Run(parallelism, order.Length, i =>
            {
                var file = order[i];
                var staging = writer.Store(file.FullPath, file.Size, d => !store.Exists(d) && claimed.TryAdd(d, 0),
                    n => Interlocked.Add(ref counters.BytesDone, n));
                file.Entry.Digest = staging.Digest.ToString();
                file.Entry.Size = staging.Size;
                if (staging.TempPath is not null) staged.Add((staging.TempPath, staging.Digest, staging.Size));
                else Interlocked.Add(ref dedupBytes, staging.Size);
                Interlocked.Increment(ref counters.FilesDone);
            }, ct);
        }
        catch (Exception e)
        {
            foreach (var s in staged) AtomicFile.TryDelete(s.Temp);
            if (e is OperationCanceledException or VoltException) throw;
            throw VoltException.From("Failed building the tree", e);
        }

        long newBytes = 0, newObjects = 0;
        if (!staged.IsEmpty)
        {
            Posix.SyncFileSystem(store.TmpDir);
            foreach (var s in staged)
            {
                if (store.PublishStaged(s.Temp, s.Digest)) { newObjects++; newBytes += s.Size; }
                else dedupBytes += s.Size;
            }
            Posix.SyncFileSystem(store.ObjectsDir);
        }

        var manifest = scan.ToManifest();
        var put = store.Put(manifest.Serialize());
        if (put.Created) newObjects++;
        store.Refs.Set(refName, put.Digest, RefKind.Tree, manifest.Size);
        return new BuildResult(refName, put.Digest, manifest.Files, manifest.Dirs, scan.Others, manifest.Size,
            newObjects, newBytes, dedupBytes, sw.Elapsed);
    }

    /// <summary><c>images/&lt;directory name&gt;</c>, with characters a ref cannot hold replaced by '-'.</summary>
    public static string DefaultRefName(string dir)
    {
        var name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd('/'));
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray();
        var clean = new string(chars).Trim('.');
        return "images/" + (clean.Length == 0 ? "root" : clean);
    }
}
