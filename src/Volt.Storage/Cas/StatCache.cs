using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Volt.Core.IO;
using Volt.Storage.Hashing;

namespace Volt.Storage.Cas;

/// <summary>The stat data a cache entry is valid for: any change to one of these means the file is hashed again.</summary>
internal readonly record struct StatKey(ulong Dev, ulong Inode, long Size, long MTimeSec, uint MTimeNsec, long CTimeSec, uint CTimeNsec)
{
    public static StatKey Of(in FileStat st) =>
        new(((ulong)st.DevMajor << 32) | st.DevMinor, st.Inode, st.Size, st.MTimeSec, st.MTimeNsec, st.CTimeSec, st.CTimeNsec);
}

/// <summary>
/// What <c>cas build</c> learnt about a directory's files last time: for each regular file its stat data and BLAKE3
/// digest, so an unchanged file (same device, inode, size, mtime and ctime) is not read again — git's index idea.
/// <code>
/// cas/statcache/
/// └── &lt;32 hex&gt;        one file per directory built: the first 32 hex of BLAKE3(absolute path of the directory)
///     ├── header      "VOLTSTC3" | written: i64 seconds, u32 nanoseconds (the store's clock) | u32 entries
///     │               | 32-byte tree fingerprint | 32-byte BLAKE3 of the tree manifest built from it
///     │               | u16 length + UTF-8 absolute directory path (a name collision reads as "no cache")
///     │               | u16 stamps (0 or 256) | stamp × n: i64 mtime s, u32 ns of objects/00 … objects/ff (-1: none)
///     ├── entry × n   u16 length + UTF-8 relative path | u64 device (major &lt;&lt; 32 | minor) | u64 inode | i64 size
///     │               | i64 mtime s, u32 ns | i64 ctime s, u32 ns | 32-byte BLAKE3 of the content (all little-endian)
///     └── trailer     32-byte BLAKE3 of everything before it
/// </code>
/// The cache is advisory. A file that fails any check (magic, lengths, trailer hash, directory path) is discarded,
/// never trusted; it is written to a temporary name and renamed (no fsync: a torn file after a crash fails its trailer
/// hash). Racy timestamps (git's rule): an entry whose mtime or ctime falls in or after the second the cache was
/// written may have been changed again within the timestamp's granularity after it was hashed, so it never hits.
/// A hit still needs the object in the store. The fingerprint (<see cref="TreeBuilder"/>) covers every field of
/// every entry that goes into the tree manifest, so a re-build whose fingerprint matches re-uses the recorded manifest
/// (if the store still has it) instead of serialising and hashing it again.
/// The fan-out stamps make "the store still has it" cheap: removing an object changes the mtime of its fan-out
/// directory, so a hit whose fan-out directory has the mtime recorded when the cache was written — and that mtime is
/// at least a whole second older than the cache file itself (racy otherwise) — still has its object, and the build
/// skips looking (one statx per fan-out directory instead of one lookup per file; a store edited by hand is caught
/// the same way, since any unlink or rename in a directory changes its mtime).
/// </summary>
internal sealed class StatCache
{
    private static readonly byte[] Magic = "VOLTSTC3"u8.ToArray();
    private const int EntryFixed = 8 + 8 + 8 + 12 + 12 + Blake3.OutLen;

    private readonly Dictionary<string, (StatKey Key, byte[] Hash)> _entries;

    private StatCache(Dictionary<string, (StatKey, byte[])> entries, long writtenSec, byte[] fingerprint, byte[] manifest,
        FanoutStamps? stamps = null)
    {
        _entries = entries;
        WrittenSec = writtenSec;
        Fingerprint = fingerprint;
        Manifest = manifest;
        Stamps = stamps;
    }

    /// <summary>A cache with nothing in it.</summary>
    public static StatCache Empty { get; } = new([], 0, new byte[Blake3.OutLen], new byte[Blake3.OutLen]);

    /// <summary>The object fan-out directories' mtimes when the cache was written (null: not recorded).</summary>
    public FanoutStamps? Stamps { get; }

    /// <summary>Seconds (filesystem clock) of the cache file's own mtime; 0 when not read from a file.</summary>
    public long FileMTimeSec { get; private set; }

    /// <summary>
    /// For each fan-out directory (index = the digest's first byte): true when <paramref name="now"/> shows the mtime
    /// recorded in this cache and that mtime is a whole second older than the cache file (no object of it went since).
    /// </summary>
    public bool[] UnchangedFanouts(FanoutStamps now)
    {
        var unchanged = new bool[FanoutStamps.Count];
        if (Stamps is not { } then || FileMTimeSec == 0) return unchanged;
        for (int i = 0; i < unchanged.Length; i++)
            // Missing then and now: no recorded entry's object lives there (every one existed when the cache was written).
            unchanged[i] = then.Sec[i] < 0
                ? now.Sec[i] < 0
                : then.Sec[i] == now.Sec[i] && then.Nsec[i] == now.Nsec[i] && then.Sec[i] < FileMTimeSec;
        return unchanged;
    }

    /// <summary>The fingerprint of the tree when the cache was written (all zero: none).</summary>
    public byte[] Fingerprint { get; }

    /// <summary>BLAKE3 of the tree manifest built from that tree.</summary>
    public byte[] Manifest { get; }

    /// <summary>Seconds (Unix time, store clock) when the cache was written.</summary>
    public long WrittenSec { get; }

    public int Count => _entries.Count;

    public static string PathFor(CasStore store, string root)
    {
        var hash = Blake3.Hash(Encoding.UTF8.GetBytes(root));
        return Path.Combine(store.StatCacheDir, Convert.ToHexStringLower(hash.AsSpan(0, 16)));
    }

    /// <summary>The digest recorded for <paramref name="rel"/> if its stat data is unchanged and the entry is not racy.</summary>
    public bool TryGet(string rel, in StatKey key, out Digest digest)
    {
        digest = default;
        if (!_entries.TryGetValue(rel, out var e) || e.Key != key) return false;
        if (e.Key.MTimeSec >= WrittenSec || e.Key.CTimeSec >= WrittenSec) return false; // racily clean: hash again
        digest = Digest.FromHash(HashAlgo.Blake3, e.Hash);
        return true;
    }

    /// <summary>
    /// Reads the cache of <paramref name="root"/>; a missing, unreadable or corrupt file gives <see cref="Empty"/>
    /// (and <paramref name="discarded"/> says it was there but not trusted).
    /// </summary>
    public static StatCache Load(string path, string root, out bool discarded)
    {
        discarded = false;
        byte[] data;
        long mtime;
        try
        {
            using var handle = File.OpenHandle(path);
            data = new byte[RandomAccess.GetLength(handle)];
            if (RandomAccess.Read(handle, data, 0) != data.Length) return Empty;
            mtime = new DateTimeOffset(File.GetLastWriteTimeUtc(handle), TimeSpan.Zero).ToUnixTimeSeconds();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Empty; }
        var parsed = Parse(data, root);
        discarded = parsed is null;
        if (parsed is null) return Empty;
        parsed.FileMTimeSec = mtime;
        return parsed;
    }

    internal static StatCache? Parse(ReadOnlySpan<byte> data, string root)
    {
        const int HeaderFixed = 8 + 12 + 4 + 2 * Blake3.OutLen + 2;
        if (data.Length < HeaderFixed + Blake3.OutLen || !data[..8].SequenceEqual(Magic)) return null;
        var body = data[..^Blake3.OutLen];
        Span<byte> check = stackalloc byte[Blake3.OutLen];
        Blake3.Hash(body, check);
        if (!check.SequenceEqual(data[^Blake3.OutLen..])) return null;
        try
        {
            var r = new Reader(body[8..]);
            long writtenSec = r.I64();
            r.U32();
            uint count = r.U32();
            var fingerprint = r.Bytes(Blake3.OutLen).ToArray();
            var manifest = r.Bytes(Blake3.OutLen).ToArray();
            if (r.Str() != root || count > body.Length / EntryFixed) return null;
            FanoutStamps? stamps = null;
            int stampCount = r.U16();
            if (stampCount == FanoutStamps.Count)
            {
                stamps = new FanoutStamps();
                for (int i = 0; i < stampCount; i++) { stamps.Sec[i] = r.I64(); stamps.Nsec[i] = r.U32(); }
            }
            else if (stampCount != 0) return null;
            var entries = new Dictionary<string, (StatKey, byte[])>((int)count, StringComparer.Ordinal);
            for (uint i = 0; i < count; i++)
            {
                var rel = r.Str();
                var key = new StatKey(r.U64(), r.U64(), r.I64(), r.I64(), r.U32(), r.I64(), r.U32());
                entries[rel] = (key, r.Bytes(Blake3.OutLen).ToArray());
            }
            return r.AtEnd ? new StatCache(entries, writtenSec, fingerprint, manifest, stamps) : null;
        }
        catch (FormatException) { return null; }
    }

    /// <summary>Writes a cache for <paramref name="root"/> atomically (temporary name, rename).</summary>
    public static void Write(string path, string root, DateTimeOffset now, IReadOnlyCollection<(string Rel, StatKey Key, Digest Digest)> entries,
        ReadOnlySpan<byte> fingerprint = default, Digest? manifest = null, FanoutStamps? stamps = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + entries.Count * (EntryFixed + 48));
        buffer.Write(Magic);
        var w = new Writer(buffer);
        w.I64(now.ToUnixTimeSeconds());
        w.U32((uint)(now.UtcTicks % TimeSpan.TicksPerSecond * 100));
        w.U32((uint)entries.Count);
        Span<byte> hash = stackalloc byte[Blake3.OutLen];
        hash.Clear();
        if (fingerprint.Length == Blake3.OutLen) fingerprint.CopyTo(hash);
        buffer.Write(hash);
        hash.Clear();
        if (manifest is { } m) Convert.FromHexString(m.Hex, hash, out _, out _);
        buffer.Write(hash);
        w.Str(root);
        w.U16(stamps is null ? (ushort)0 : (ushort)FanoutStamps.Count);
        if (stamps is not null)
            for (int i = 0; i < FanoutStamps.Count; i++) { w.I64(stamps.Sec[i]); w.U32(stamps.Nsec[i]); }
        foreach (var (rel, k, d) in entries)
        {
            w.Str(rel);
            w.U64(k.Dev); w.U64(k.Inode); w.I64(k.Size); w.I64(k.MTimeSec); w.U32(k.MTimeNsec); w.I64(k.CTimeSec); w.U32(k.CTimeNsec);
            Convert.FromHexString(d.Hex, hash, out _, out _);
            buffer.Write(hash);
        }
        Blake3.Hash(buffer.WrittenSpan, hash);
        buffer.Write(hash);

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(tmp, buffer.WrittenSpan);
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(tmp);
            throw;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly bool AtEnd => _rest.IsEmpty;

        public ReadOnlySpan<byte> Bytes(int n)
        {
            if (_rest.Length < n) throw new FormatException("truncated");
            var b = _rest[..n];
            _rest = _rest[n..];
            return b;
        }

        public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));
        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));
        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));
        public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public string Str()
        {
            int n = U16();
            try { return Encoding.UTF8.GetString(Bytes(n)); }
            catch (ArgumentException) { throw new FormatException("bad UTF-8"); }
        }
    }

    private readonly struct Writer(ArrayBufferWriter<byte> b)
    {
        public void I64(long v) { BinaryPrimitives.WriteInt64LittleEndian(b.GetSpan(8), v); b.Advance(8); }
        public void U64(ulong v) { BinaryPrimitives.WriteUInt64LittleEndian(b.GetSpan(8), v); b.Advance(8); }
        public void U32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(b.GetSpan(4), v); b.Advance(4); }
        public void U16(ushort v) { BinaryPrimitives.WriteUInt16LittleEndian(b.GetSpan(2), v); b.Advance(2); }

        public void Str(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            if (bytes.Length > ushort.MaxValue) throw new IOException($"path too long for the stat cache: {s}");
            BinaryPrimitives.WriteUInt16LittleEndian(b.GetSpan(2), (ushort)bytes.Length);
            b.Advance(2);
            b.Write(bytes);
        }
    }
}

/// <summary>The mtimes of a store's 256 BLAKE3 fan-out directories (<c>objects/00</c> … <c>objects/ff</c>; -1: missing).</summary>
internal sealed class FanoutStamps
{
    public const int Count = 256;
    public long[] Sec { get; } = new long[Count];
    public uint[] Nsec { get; } = new uint[Count];

    /// <summary>Stats every fan-out directory under <paramref name="objectsDir"/> (256 statx calls).</summary>
    public static FanoutStamps Take(string objectsDir)
    {
        var s = new FanoutStamps();
        for (int i = 0; i < Count; i++)
        {
            if (FileStat.TryLStat(Path.Combine(objectsDir, i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)), out var st)
                && st.Kind == FileKind.Directory)
            { s.Sec[i] = st.MTimeSec; s.Nsec[i] = st.MTimeNsec; }
            else s.Sec[i] = -1;
        }
        return s;
    }

    /// <summary>The fan-out index of a digest: its first byte.</summary>
    public static int IndexOf(Digest d) => int.Parse(d.Hex.AsSpan(0, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
}
