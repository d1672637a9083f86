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
    long NewObjects, long NewBytes, long DedupBytes, TimeSpan Elapsed)
{
    /// <summary>Files whose digest came from the stat cache (unchanged since the last build), not from reading them.</summary>
    public long CachedFiles { get; init; }
}

/// <summary>
/// Stores a directory tree: every regular file becomes an object (in parallel over files, and within large files
/// through BLAKE3's parallel subtree hashing), then a <see cref="TreeManifest"/> object and a ref. New objects are
/// staged as dot-files in their own fan-out directory (creates spread over 256 directories instead of contending on
/// tmp/) and become visible only after one syncfs at the end, so a failed or killed build leaves
/// nothing half-stored and costs one flush instead of an fsync per file. Files whose stat data is unchanged since the
/// last build of the same directory take their digest from its <see cref="StatCache"/> instead of being read.
/// </summary>
public sealed class TreeBuilder(CasStore store, int parallelism)
{
    /// <summary>Test hook: called with the path of every file the build reads and hashes.</summary>
    internal Action<string>? OnHashFile { get; set; }

    /// <summary>Test hook: called for every cache hit whose object the build looks up in the store.</summary>
    internal Action<Digest>? OnProbeObject { get; set; }

    /// <summary>Test hook: called whenever the build serialises a manifest (not when it re-uses the recorded one).</summary>
    internal Action? OnSerializeManifest { get; set; }

    /// <summary>Test hook: called whenever the build writes its ref (not when the ref already names the manifest).</summary>
    internal Action? OnSetRef { get; set; }

    /// <param name="useCache">false: read and hash every file (the cache is still rewritten from what was hashed).</param>
    public BuildResult Build(string dir, string refName, BuildCounters? counters = null, CancellationToken ct = default,
        bool useCache = true)
    {
        var sw = Stopwatch.StartNew();
        RefStore.Validate(refName);
        var root = Path.GetFullPath(dir);
        if (!Directory.Exists(root))
            throw VoltException.NotFound(File.Exists(root) ? $"\"{dir}\" is not a directory" : $"directory \"{dir}\" not found");
        counters ??= new BuildCounters();
        store.EnsureCreated();
        using var writerLock = store.WriterLock();

        // Stat data is taken from here on: an entry changed in this second or later is racy (see StatCache).
        var scanStarted = store.Time.GetUtcNow();
        var cachePath = StatCache.PathFor(store, root);
        // The cache is read and checked while the tree is walked (on the other cores: the walk is mostly statx).
        var loading = useCache ? Task.Run(() => StatCache.Load(cachePath, root, out _), ct) : Task.FromResult(StatCache.Empty);
        var scan = TreeScanner.Scan(root, ct, parallelism);
        var cache = loading.GetAwaiter().GetResult();
        counters.FilesTotal = scan.Files.Count;
        counters.BytesTotal = scan.Files.Sum(f => f.Size);

        var staged = new ConcurrentBag<(string Temp, Digest Digest, long Size)>();
        var claimed = new ConcurrentDictionary<Digest, byte>();
        long dedupBytes = 0, cachedFiles = 0;
        // Hashing inside a file on several threads only pays when there are fewer files than workers.
        var writer = new FileObjectWriter(store, parallelHashing: scan.Files.Count < parallelism, ct);
        try
        {
            var order = scan.Files.OrderByDescending(f => f.Size).ToArray();
            // A hit still needs its object: checked relative to objects/ (a two-name lookup, not the whole path).
            using var probe = cache.Count > 0 ? DirectoryProbe.TryOpen(store.AlgoDir(HashAlgo.Blake3)) : null;
            // A fan-out directory untouched since the cache was written still holds every object it had then.
            var unchanged = cache.Count > 0 ? cache.UnchangedFanouts(FanoutStamps.Take(store.AlgoDir(HashAlgo.Blake3))) : null;
            bool Probe(Digest d)
            {
                OnProbeObject?.Invoke(d);
                return probe is null ? store.Exists(d) : probe.Exists(CasStore.ObjectRelativePath(d));
            }
            Workers.Run(parallelism, order.Length, i =>
            {
                var file = order[i];
                if (cache.TryGet(file.Entry.Path, file.Stat, out var known)
                    && (unchanged?[FanoutStamps.IndexOf(known)] == true || Probe(known)))
                {
                    file.Entry.Digest = known.ToString();
                    Interlocked.Add(ref dedupBytes, file.Size);
                    Interlocked.Increment(ref cachedFiles);
                    Interlocked.Add(ref counters.BytesDone, file.Size);
                    Interlocked.Increment(ref counters.FilesDone);
                    return;
                }
                OnHashFile?.Invoke(file.FullPath);
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

        // Everything the manifest says, in scan order: equal to the cached fingerprint means the same manifest.
        var fingerprint = Fingerprint(scan);
        var size = scan.Files.Sum(f => f.Entry.Size);
        Digest manifestDigest;
        if (useCache && fingerprint.AsSpan().SequenceEqual(cache.Fingerprint)
            && Digest.FromHash(HashAlgo.Blake3, cache.Manifest) is var known && store.Exists(known))
        {
            store.Touch(known);
            manifestDigest = known;
        }
        else
        {
            OnSerializeManifest?.Invoke();
            var put = store.Put(scan.ToManifest().Serialize());
            if (put.Created) newObjects++;
            manifestDigest = put.Digest;
        }
        // A ref that already names this manifest is left as it is (no rewrite, no fsync), as `git update-ref` does.
        if (store.Refs.TryGet(refName) is not { Kind: RefKind.Tree } current || current.Digest != manifestDigest.ToString() || current.Size != size)
        {
            OnSetRef?.Invoke();
            store.Refs.Set(refName, manifestDigest, RefKind.Tree, size);
        }
        // Rewritten when anything differs, including fan-out stamps that were racy or moved (so the next re-build
        // can skip the object lookups).
        var stampsNow = FanoutStamps.Take(store.AlgoDir(HashAlgo.Blake3));
        if (cachedFiles != scan.Files.Count || cache.Count != scan.Files.Count || manifestDigest.Hex != Convert.ToHexStringLower(cache.Manifest)
            || !fingerprint.AsSpan().SequenceEqual(cache.Fingerprint) || cache.UnchangedFanouts(stampsNow).Contains(false))
            WriteCache(cachePath, root, scanStarted, scan, fingerprint, manifestDigest, stampsNow);
        return new BuildResult(refName, manifestDigest, scan.Files.Count, scan.Dirs, scan.Others, size,
            newObjects, newBytes, dedupBytes, sw.Elapsed) { CachedFiles = cachedFiles };
    }

    /// <summary>Records every file's stat data and digest for the next build; the cache is advisory, so failing to write it is not an error.</summary>
    private static void WriteCache(string path, string root, DateTimeOffset scanStarted, TreeScanner.Result scan,
        byte[] fingerprint, Digest manifest, FanoutStamps stamps)
    {
        var entries = scan.Files.Select(f => (f.Entry.Path, f.Stat, Digest.Parse(f.Entry.Digest!))).ToList();
        try { StatCache.Write(path, root, scanStarted, entries, fingerprint, manifest, stamps); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// BLAKE3 over every field of every entry the manifest is made of (path, type, mode, owner, mtime, size, digest,
    /// link target, device numbers), in scan order, plus the schema: two scans with the same fingerprint give the
    /// same manifest. A different order only costs a rebuilt manifest.
    /// </summary>
    internal static byte[] Fingerprint(TreeScanner.Result scan)
    {
        // Streamed through the hasher from one 64 KiB buffer: the whole list is never held (a 20 000-file tree's
        // encoding is ~2 MB, and growing a buffer that size cost more than hashing it).
        using var hasher = Hashing.Blake3Hasher.Create();
        var buffer = new byte[64 * 1024];
        int used = 0;
        Text(hasher, buffer, ref used, TreeManifest.SchemaV1);
        foreach (var e in scan.Entries)
        {
            Text(hasher, buffer, ref used, e.Path); Text(hasher, buffer, ref used, e.Type); Text(hasher, buffer, ref used, e.Mode);
            Room(hasher, buffer, ref used, 32);
            var span = buffer.AsSpan(used, 32);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span, e.Uid);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[4..], e.Gid);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[8..], e.MTime.UtcTicks);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[16..], e.MTime.Offset.Ticks);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[24..], e.Size);
            used += 32;
            Text(hasher, buffer, ref used, e.Digest); Text(hasher, buffer, ref used, e.Target); Text(hasher, buffer, ref used, e.RDev);
        }
        hasher.Update(buffer.AsSpan(0, used));
        return hasher.Finalize();
    }

    /// <summary>Makes room for <paramref name="n"/> bytes, handing what the buffer holds to the hasher if needed.</summary>
    private static void Room(Hashing.Blake3Hasher hasher, byte[] buffer, ref int used, int n)
    {
        if (used + n <= buffer.Length) return;
        hasher.Update(buffer.AsSpan(0, used));
        used = 0;
    }

    // Length-prefixed (a null is length -1), so no two different entry lists encode the same bytes.
    private static void Text(Hashing.Blake3Hasher hasher, byte[] buffer, ref int used, string? s)
    {
        var max = s is null ? 0 : System.Text.Encoding.UTF8.GetMaxByteCount(s.Length);
        if (4 + max > buffer.Length)
        {
            // Longer than the whole buffer (a path of over ~21 000 characters): encoded on its own.
            var bytes = System.Text.Encoding.UTF8.GetBytes(s!);
            Room(hasher, buffer, ref used, 4);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(used), bytes.Length);
            used += 4;
            hasher.Update(buffer.AsSpan(0, used));
            used = 0;
            hasher.Update(bytes);
            return;
        }
        Room(hasher, buffer, ref used, 4 + max);
        var span = buffer.AsSpan(used);
        var n = s is null ? 0 : System.Text.Encoding.UTF8.GetBytes(s, span[4..]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span, s is null ? -1 : n);
        used += 4 + n;
    }

    /// <summary><c>images/&lt;directory name&gt;</c>, with characters a ref cannot hold replaced by '-'.</summary>
    /// <summary>Drops the stat cache a build of <paramref name="dir"/> left (for directories built once: a build step's upper dir).</summary>
    public static void ForgetStatCache(CasStore store, string dir)
    {
        try { File.Delete(StatCache.PathFor(store, Path.GetFullPath(dir))); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static string DefaultRefName(string dir)
    {
        var name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd('/'));
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray();
        var clean = new string(chars).Trim('.');
        return "images/" + (clean.Length == 0 ? "root" : clean);
    }
}
