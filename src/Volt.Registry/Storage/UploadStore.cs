using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using Volt.Core.IO;
using Volt.Registry.Errors;
using Volt.Registry.Json;
using Volt.Storage.Cas;

namespace Volt.Registry.Storage;

/// <summary>
/// Blob upload sessions, kept on disk inside the CAS's staging area so a finished upload is published into
/// objects/ by a rename (no copy) and a restarted registry can resume:
/// <code>
/// cas/tmp/uploads/&lt;uuid&gt;/
/// ├── state.json   {"repository","created"}
/// └── data         the bytes received so far (its length is the session's offset)
/// </code>
/// CasStore.CleanDeadTemps only removes files directly in tmp/, so sessions are left to <see cref="Expire"/>.
/// </summary>
public sealed class UploadStore(RegistryStore registry)
{
    private const int Batch = 512 << 10;
    private readonly ConcurrentDictionary<string, UploadSession> _live = new();

    public string Root => Path.Combine(registry.Cas.TmpDir, "uploads");

    /// <summary>Opens a new session for <paramref name="repo"/>.</summary>
    public UploadSession Start(string repo)
    {
        var id = Guid.NewGuid().ToString("N");
        var dir = Path.Combine(Root, id);
        Directory.CreateDirectory(dir);
        var state = new UploadState(repo, registry.Cas.Time.GetUtcNow());
        File.WriteAllBytes(Path.Combine(dir, "state.json"), JsonSerializer.SerializeToUtf8Bytes(state, RegistryJson.Default.UploadState));
        File.Create(Path.Combine(dir, "data")).Dispose();
        var s = new UploadSession(id, dir, state) { Sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256), Hashed = 0 };
        _live[id] = s;
        return s;
    }

    /// <summary>The session <paramref name="id"/> of <paramref name="repo"/>, from memory or from disk.</summary>
    public UploadSession Open(string repo, string id)
    {
        if (id.Length != 32 || !Digest.IsLowerHex(id)) throw Unknown(id);
        if (_live.TryGetValue(id, out var live))
            return live.State.Repository == repo && Directory.Exists(live.Directory) ? live : throw Unknown(id);
        var dir = Path.Combine(Root, id);
        UploadState? state;
        try { state = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, "state.json")), RegistryJson.Default.UploadState); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { throw Unknown(id); }
        if (state is null || state.Repository != repo || !File.Exists(Path.Combine(dir, "data"))) throw Unknown(id);
        var session = new UploadSession(id, dir, state) { Hashed = -1 };
        return _live.GetOrAdd(id, session);
    }

    private static RegistryException Unknown(string id) => OciErrors.BlobUploadUnknown.With($"upload session \"{id}\" not found (finished, cancelled or expired)");

    /// <summary>
    /// Appends <paramref name="body"/> at <paramref name="start"/> (the current size; anything else is 416).
    /// If the client disconnects, what was received stays and the session remains usable from its new size.
    /// </summary>
    public async Task<long> AppendAsync(UploadSession s, PipeReader body, long? start, Action<long>? progress, CancellationToken ct)
    {
        await s.Gate.WaitAsync(ct).ConfigureAwait(false);
        try { return await AppendLockedAsync(s, body, start, progress, ct).ConfigureAwait(false); }
        finally { s.Gate.Release(); }
    }

    /// <summary>The same for a stream (tests, callers outside HTTP).</summary>
    public Task<long> AppendAsync(UploadSession s, Stream body, long? start, Action<long>? progress, CancellationToken ct) =>
        AppendAsync(s, PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 << 10, leaveOpen: true)), start, progress, ct);

    // The transport delivers the body in segments of its block size (LargeBlockMemoryPool: 128 KiB). Waiting for
    // Batch bytes at a time (below the 1 MiB request buffer) and writing the segments where they are with one
    // pwritev saves a copy of every byte. The write is synchronous: RandomAccess.WriteAsync on a handle opened
    // without FileOptions.Asynchronous queues each write to another thread-pool thread and back (two hand-offs
    // per batch), and a page-cache write of 512 KiB does not block for long.
    private async Task<long> AppendLockedAsync(UploadSession s, PipeReader body, long? start, Action<long>? progress, CancellationToken ct)
    {
        if (!Directory.Exists(s.Directory)) throw Unknown(s.Id);
        using var h = File.OpenHandle(s.DataPath, FileMode.Open, FileAccess.Write);
        var offset = RandomAccess.GetLength(h);
        if (start is { } st && st != offset)
            throw OciErrors.RangeInvalid.With($"chunk starts at {st} but the session has {offset} bytes");
        if (s.Hashed != offset) s.DropHasher();
        if (s.Sha256 is null && offset == 0) { s.Sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256); s.Hashed = 0; }
        var segments = new List<ReadOnlyMemory<byte>>(16);
        try
        {
            while (true)
            {
                var read = await body.ReadAtLeastAsync(Batch, ct).ConfigureAwait(false);
                var data = read.Buffer;
                if (!data.IsEmpty)
                {
                    segments.Clear();
                    foreach (var m in data)
                    {
                        if (m.IsEmpty) continue;
                        segments.Add(m);
                        if (m.Length > LargestBodySegment) LargestBodySegment = m.Length;
                    }
                    RandomAccess.Write(h, segments, offset);
                    // Writeback starts while the rest arrives, so completion's fsync does not flush the whole blob at once.
                    Posix.StartWriteback(h, offset, data.Length);
                    if (s.Sha256 is not null) foreach (var m in segments) s.Sha256.AppendData(m.Span);
                    offset += data.Length;
                    if (s.Sha256 is not null) s.Hashed = offset;
                    progress?.Invoke(data.Length);
                }
                body.AdvanceTo(data.End);
                if (read.IsCompleted || read.IsCanceled) break;
            }
            return offset;
        }
        catch
        {
            // Keep exactly what was fully written: a torn final write must not become part of the blob.
            try { RandomAccess.SetLength(h, offset); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>
    /// Verifies the received bytes hash to <paramref name="expected"/>, publishes them into the CAS by rename and
    /// links the blob into the session's repository. A mismatch discards the session and stores nothing.
    /// </summary>
    public async Task<PutResult> CompleteAsync(UploadSession s, Digest expected, CancellationToken ct)
    {
        await s.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!Directory.Exists(s.Directory)) throw Unknown(s.Id);
            Digest actual;
            long size;
            using (var h = File.OpenHandle(s.DataPath, FileMode.Open, FileAccess.ReadWrite))
            {
                size = RandomAccess.GetLength(h);
                actual = expected.Algorithm == HashAlgo.Sha256 && s.Sha256 is not null && s.Hashed == size
                    ? Digest.FromHash(HashAlgo.Sha256, s.Sha256.GetHashAndReset())
                    : CasStore.HashHandle(h, expected.Algorithm).Digest;
                s.DropHasher();
                if (actual != expected)
                {
                    Discard(s);
                    throw OciErrors.DigestInvalid.With($"uploaded content hashes to {actual}, not {expected}");
                }
                // A blob the store already holds needs neither the flush nor the rename: the staged copy is dropped.
                if (!registry.Cas.Exists(actual)) Posix.FsyncOrThrow(h);
            }
            PutResult result;
            using (registry.Cas.WriterLock())
            {
                result = registry.Cas.Exists(actual) ? new PutResult(actual, size, false) : registry.Cas.Publish(s.DataPath, actual, size);
                if (!result.Created) registry.Cas.Touch(actual);
                registry.LinkBlob(s.State.Repository, actual, size);
            }
            Discard(s);
            return result;
        }
        finally
        {
            s.Gate.Release();
        }
    }

    /// <summary>
    /// A monolithic upload of a blob the store already holds (<c>POST ?digest=</c>, or a session's only <c>PUT</c>):
    /// the body is hashed as it arrives and nothing is written; if it hashes to <paramref name="expected"/> the blob is
    /// linked into <paramref name="repo"/>, otherwise nothing changes and the answer is DIGEST_INVALID. The object's
    /// mtime is refreshed first, so GC's grace period keeps it while the body arrives.
    /// </summary>
    public async Task LinkKnownAsync(string repo, PipeReader body, Digest expected, Action<long>? progress, CancellationToken ct)
    {
        registry.Cas.Touch(expected);
        long size = 0;
        Digest actual;
        using (var hasher = new ContentHasher(expected.Algorithm))
        {
            while (true)
            {
                var read = await body.ReadAtLeastAsync(Batch, ct).ConfigureAwait(false);
                foreach (var m in read.Buffer) hasher.Update(m.Span);
                size += read.Buffer.Length;
                if (!read.Buffer.IsEmpty) progress?.Invoke(read.Buffer.Length);
                body.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled) break;
            }
            actual = hasher.Finish();
        }
        if (actual != expected) throw OciErrors.DigestInvalid.With($"uploaded content hashes to {actual}, not {expected}");
        using (registry.Cas.WriterLock())
        {
            if (!registry.Cas.TryGetSize(actual, out var stored) || stored != size)
                throw OciErrors.BlobUploadInvalid.With($"the stored copy of {actual} went away while the upload was read; upload it again");
            registry.LinkBlob(repo, actual, size);
        }
        OnLinkedKnown?.Invoke(actual);
    }

    /// <summary>The largest piece an upload body arrived in so far (the transport's receive block, for tests).</summary>
    internal int LargestBodySegment { get; private set; }

    /// <summary>Test hook: called when a monolithic upload of a stored blob was linked without writing it.</summary>
    internal Action<Digest>? OnLinkedKnown { get; set; }

    /// <summary>Cancels a session and frees its bytes.</summary>
    public void Cancel(UploadSession s) => Discard(s);

    private void Discard(UploadSession s)
    {
        _live.TryRemove(s.Id, out _);
        s.DropHasher();
        try { Directory.Delete(s.Directory, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>Removes sessions idle for longer than <paramref name="expiry"/>; returns how many and the bytes freed.</summary>
    public (int Sessions, long Bytes) Expire(TimeSpan expiry, bool dryRun = false)
    {
        if (!Directory.Exists(Root)) return (0, 0);
        var cutoff = (registry.Cas.Time.GetUtcNow() - expiry).UtcDateTime;
        int count = 0;
        long bytes = 0;
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var id = Path.GetFileName(dir);
            if (_live.TryGetValue(id, out var live) && live.Gate.CurrentCount == 0) continue; // a request is writing
            var data = new FileInfo(Path.Combine(dir, "data"));
            var last = data.Exists ? data.LastWriteTimeUtc : Directory.GetLastWriteTimeUtc(dir);
            if (last >= cutoff) continue;
            count++;
            bytes += data.Exists ? data.Length : 0;
            if (dryRun) continue;
            _live.TryRemove(id, out _);
            try { Directory.Delete(dir, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
        return (count, bytes);
    }

    /// <summary>Sessions on disk now (for status).</summary>
    public int Count => Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Count() : 0;
}
