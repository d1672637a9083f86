using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary>
/// Stellarium, the content-addressed store. Objects are immutable files named by their hash.
/// <code>
/// cas/
/// ├── objects/
/// │   ├── ab/ab12…(64 hex)        BLAKE3 objects: the seed's objects/&lt;2 hex&gt;/&lt;hex&gt; shape, unchanged
/// │   ├── ab/.&lt;pid&gt;.….part       a running build's staged object (dot-files are never objects)
/// │   ├── sha256/ab/ab12…(64 hex) objects addressed by SHA-256 (OCI blobs and manifests, stored as pushed)
/// │   └── sha512/ab/ab12…(128 hex) objects addressed by SHA-512
/// ├── refs/&lt;name&gt;                 one JSON file per ref: {"digest","kind","size","updated"}
/// │                                (images/NAME, manifests/…, registry/&lt;repo&gt;/_tags/&lt;tag&gt; …)
/// ├── tmp/&lt;pid&gt;.&lt;rand&gt;.part        staging files; the pid lets gc/verify remove a dead writer's leftovers
/// │   └── &lt;owner&gt;/…               subdirectories belong to their owner (registry upload sessions)
/// ├── quarantine/&lt;alg&gt;/&lt;hex&gt;     corrupt objects moved aside by `verify --repair`
/// ├── stats.cache                 per fan-out directory counts for `cas status`, keyed by the directory's mtime
/// ├── statcache/&lt;32 hex&gt;          per built directory: stat data + digest of each file (see StatCache), advisory
/// └── lock                        flock: writers hold it shared, the GC sweep exclusive
/// </code>
/// A write streams into tmp/, hashes while writing, is fsynced (or, for batches, covered by one syncfs) and
/// only then renamed into objects/: a reader never sees a partial object. Two-hex directory names can never be
/// "sha256"/"sha512", so the algorithm directories cannot collide with BLAKE3 fan-out directories.
/// </summary>
public sealed partial class CasStore
{
    public CasStore(string root, TimeProvider? time = null)
    {
        Root = root;
        Time = time ?? TimeProvider.System;
        Refs = new RefStore(RefsDir, Time);
    }

    public string Root { get; }
    public TimeProvider Time { get; }
    public string ObjectsDir => Path.Combine(Root, "objects");
    public string RefsDir => Path.Combine(Root, "refs");
    public string TmpDir => Path.Combine(Root, "tmp");
    public string QuarantineDir => Path.Combine(Root, "quarantine");
    public string LockPath => Path.Combine(Root, "lock");
    public string StatCacheDir => Path.Combine(Root, "statcache");
    public RefStore Refs { get; }

    /// <summary>Creates the store's directories (idempotent).</summary>
    public CasStore EnsureCreated()
    {
        try
        {
            if (!Directory.Exists(Path.Combine(ObjectsDir, "ff")))
                for (var i = 0; i < 256; i++) Directory.CreateDirectory(Path.Combine(ObjectsDir, i.ToString("x2")));
            Directory.CreateDirectory(RefsDir);
            Directory.CreateDirectory(TmpDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw VoltException.From($"Failed creating the CAS at \"{Root}\"", e);
        }
        return this;
    }

    public bool IsInitialized => Directory.Exists(ObjectsDir);

    public string AlgoDir(HashAlgo algo) => algo == HashAlgo.Blake3 ? ObjectsDir : Path.Combine(ObjectsDir, Digest.AlgoName(algo));

    public string ObjectPath(Digest d) => Path.Combine(AlgoDir(d.Algorithm), d.Hex[..2], d.Hex);

    public bool Exists(Digest d) => File.Exists(ObjectPath(d));

    /// <summary>An object's path relative to <see cref="AlgoDir"/> of its algorithm: <c>xx/&lt;hex&gt;</c>.</summary>
    public static string ObjectRelativePath(Digest d) => string.Concat(d.Hex.AsSpan(0, 2), "/", d.Hex);

    public bool TryGetSize(Digest d, out long size)
    {
        var info = new FileInfo(ObjectPath(d));
        size = info.Exists ? info.Length : -1;
        return info.Exists;
    }

    /// <summary>Opens an object for reading; <see cref="ExitCode.NotFound"/> when it is absent.</summary>
    public FileStream OpenRead(Digest d)
    {
        try
        {
            return new FileStream(ObjectPath(d), new FileStreamOptions
            {
                Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.SequentialScan, BufferSize = 0,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw VoltException.NotFound($"object {d} not found in the CAS");
        }
    }

    /// <summary>Reads a whole (small) object, refusing anything larger than <paramref name="maxBytes"/>.</summary>
    public byte[] ReadAllBytes(Digest d, long maxBytes = 64L << 20)
    {
        using var s = OpenRead(d);
        if (s.Length > maxBytes) throw new VoltException(ExitCode.Resource, $"object {d} is {s.Length} bytes, over the {maxBytes}-byte limit for this read");
        var buffer = new byte[s.Length];
        s.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Held (shared) by every writer for the length of its operation; GC's sweep takes it exclusively.</summary>
    public FileLock WriterLock() => FileLock.Shared(LockPath);

    internal FileLock SweepLock() => FileLock.Exclusive(LockPath);

    /// <summary>Marks an existing object as recently used so GC's grace period protects it.</summary>
    /// <summary>Refreshes an object's mtime (GC's grace period counts from its last use).</summary>
    public void Touch(Digest d) => Posix.Touch(ObjectPath(d));
}
