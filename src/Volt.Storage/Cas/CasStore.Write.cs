using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary>Result of storing one object.</summary>
public sealed record PutResult(Digest Digest, long Size, bool Created);

public sealed partial class CasStore
{
    private const int StreamBuffer = 1 << 20;
    private const int CopyBuffer = 8 << 20;

    private static readonly string ProcessTag = $"{Environment.ProcessId}.{Random.Shared.NextInt64():x}";
    private static long s_tempCounter;

    /// <summary>A new staging file in tmp/, named &lt;pid&gt;.… so that gc/verify can tell whether its writer still lives.</summary>
    public string NewTempPath() =>
        Path.Combine(TmpDir, $"{ProcessTag}.{Interlocked.Increment(ref s_tempCounter)}.part");

    /// <summary>
    /// A staging name beside the object's final place (<c>objects/ab/.&lt;pid&gt;.….part</c>): batch builds create
    /// there so that creates spread over the fan-out directories and the final rename stays within one directory.
    /// </summary>
    public string NewStagingPath(Digest d) =>
        Path.Combine(AlgoDir(d.Algorithm), d.Hex[..2], $".{ProcessTag}.{Interlocked.Increment(ref s_tempCounter)}.part");

    /// <summary>Stores bytes already in memory, durably (fsync before rename).</summary>
    public PutResult Put(ReadOnlySpan<byte> data, HashAlgo algo = HashAlgo.Blake3)
    {
        var digest = ContentHasher.Hash(algo, data);
        if (Exists(digest)) { Touch(digest); return new PutResult(digest, data.Length, false); }
        var tmp = NewTempPath();
        OnStaging?.Invoke(tmp);
        try
        {
            using (var h = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                RandomAccess.Write(h, data, 0);
                Posix.FsyncOrThrow(h);
            }
            return Publish(tmp, digest, data.Length);
        }
        catch (Exception e)
        {
            AtomicFile.TryDelete(tmp);
            throw VoltException.From("Failed storing object", e);
        }
    }

    /// <summary>Test hook: called with the staging path whenever a put starts writing a staging file.</summary>
    internal Action<string>? OnStaging { get; set; }

    /// <summary>Test hook: called by <see cref="PutFile"/> after the first hash, before it looks the digest up.</summary>
    internal Action<Digest>? OnHashed { get; set; }

    /// <summary>
    /// Stores a file that can be read twice, hash first: hashes it (BLAKE3 on <paramref name="threads"/> threads),
    /// and if the store already has the digest only touches the object; nothing is written. Otherwise copies it
    /// into tmp/ while hashing the copied bytes again, fsyncs and renames it into place. If the two hashes differ the
    /// file changed during the put: nothing is stored and the put fails (exit 9), so an object never holds bytes
    /// that do not hash to its name. With <paramref name="expected"/>, a mismatch stores nothing and throws
    /// <see cref="DigestMismatchException"/>.
    /// </summary>
    public PutResult PutFile(SafeFileHandle source, string path, HashAlgo algo, Digest? expected = null, int threads = 0,
        CancellationToken ct = default)
    {
        if (expected is { } exp) algo = exp.Algorithm;
        if (threads <= 0) threads = Environment.ProcessorCount;
        Digest digest;
        long size;
        try { (digest, size) = FileHashing.Hash(source, path, algo, threads, ct); }
        catch (IOException e) { throw VoltException.From($"Failed reading \"{path}\"", e); }
        if (expected is { } want && want != digest) throw new DigestMismatchException(want, digest);
        OnHashed?.Invoke(digest);
        if (Exists(digest)) { Touch(digest); return new PutResult(digest, size, false); }

        var tmp = NewTempPath();
        OnStaging?.Invoke(tmp);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            long copied = 0;
            Digest again;
            using (var hasher = new ContentHasher(algo, parallel: threads > 1))
            using (var h = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                int n;
                while ((n = RandomAccess.Read(source, buffer.AsSpan(0, CopyBuffer), copied)) > 0)
                {
                    hasher.Update(buffer.AsSpan(0, n));
                    RandomAccess.Write(h, buffer.AsSpan(0, n), copied);
                    copied += n;
                    ct.ThrowIfCancellationRequested();
                }
                again = hasher.Finish();
                if (again != digest)
                    throw new VoltException(ExitCode.Conflict, $"\"{path}\" changed while it was being stored ({digest} at first, then {again}); nothing was stored");
                Posix.FsyncOrThrow(h);
            }
            return Publish(tmp, digest, copied);
        }
        catch (Exception e)
        {
            AtomicFile.TryDelete(tmp);
            if (e is VoltException or OperationCanceledException) throw;
            throw VoltException.From("Failed storing object", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Streams <paramref name="source"/> into tmp/ while hashing it, fsyncs, and renames it into place. With
    /// <paramref name="expected"/>, a mismatch stores nothing and throws <see cref="DigestMismatchException"/>.
    /// </summary>
    public async Task<PutResult> PutAsync(Stream source, HashAlgo algo, Digest? expected = null, CancellationToken ct = default)
    {
        if (expected is { } exp && exp.Algorithm != algo) algo = exp.Algorithm;
        var tmp = NewTempPath();
        OnStaging?.Invoke(tmp);
        var buffer = ArrayPool<byte>.Shared.Rent(StreamBuffer);
        try
        {
            long size = 0;
            Digest digest;
            using (var hasher = new ContentHasher(algo, parallel: true))
            using (var h = File.OpenHandle(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                int n;
                while ((n = await source.ReadAsync(buffer.AsMemory(0, StreamBuffer), ct).ConfigureAwait(false)) > 0)
                {
                    hasher.Update(buffer.AsSpan(0, n));
                    await RandomAccess.WriteAsync(h, buffer.AsMemory(0, n), size, ct).ConfigureAwait(false);
                    size += n;
                }
                digest = hasher.Finish();
                if (expected is { } want && want != digest) throw new DigestMismatchException(want, digest);
                if (Exists(digest)) { Touch(digest); AtomicFile.TryDelete(tmp); return new PutResult(digest, size, false); }
                Posix.FsyncOrThrow(h);
            }
            return Publish(tmp, digest, size);
        }
        catch (Exception e)
        {
            AtomicFile.TryDelete(tmp);
            if (e is DigestMismatchException or OperationCanceledException) throw;
            throw VoltException.From("Failed storing object", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Moves a finished, already-durable staging file (in tmp/, hash known) into place. Used by writers that
    /// hashed while receiving (registry uploads) and by batch builds after one syncfs.
    /// </summary>
    public PutResult Publish(string tempPath, Digest digest, long size)
    {
        var created = PublishStaged(tempPath, digest);
        if (!created) Touch(digest);
        return new PutResult(digest, size, created);
    }

    /// <summary>
    /// Renames a staged object into place without replacing an existing one (renameat2 RENAME_NOREPLACE): true if
    /// this call created the object, false if it was already there (the staged copy is removed).
    /// </summary>
    public bool PublishStaged(string tempPath, Digest digest)
    {
        var final = ObjectPath(digest);
        bool created;
        try { created = RawFile.RenameNoReplace(tempPath, final); }
        catch (FileNotFoundException) when (File.Exists(tempPath))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            created = RawFile.RenameNoReplace(tempPath, final);
        }
        if (!created) AtomicFile.TryDelete(tempPath);
        return created;
    }

    /// <summary>Hashes an existing staging file and publishes it if it matches <paramref name="expected"/>.</summary>
    public PutResult PublishVerified(string tempPath, Digest expected)
    {
        Digest actual;
        long size;
        using (var h = File.OpenHandle(tempPath, FileMode.Open, FileAccess.ReadWrite))
        {
            (actual, size) = HashHandle(h, expected.Algorithm);
            if (actual != expected) throw new DigestMismatchException(expected, actual);
            Posix.FsyncOrThrow(h);
        }
        return Publish(tempPath, actual, size);
    }

    /// <summary>Hashes a whole open file with the chosen algorithm (BLAKE3 on all cores).</summary>
    public static (Digest Digest, long Size) HashHandle(SafeFileHandle h, HashAlgo algo) =>
        FileHashing.Hash(h, "object", algo, Environment.ProcessorCount);
}

/// <summary>The content did not hash to the digest the caller promised.</summary>
public sealed class DigestMismatchException(Digest expected, Digest actual)
    : VoltException(ExitCode.Usage, $"digest mismatch: expected {expected}, content hashes to {actual}")
{
    public Digest Expected { get; } = expected;
    public Digest Actual { get; } = actual;
}
