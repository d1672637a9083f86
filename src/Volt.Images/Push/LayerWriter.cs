using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Volt.Storage.Cas;

namespace Volt.Images.Push;

/// <summary>A layer tar written from a tree: the gzip file, its digest and size, and the uncompressed diff_id.</summary>
public sealed record BuiltLayer(string Path, Digest Digest, long Size, Digest DiffId);

/// <summary>
/// Rebuilds one gzip layer tar from a volt.tree/v1 manifest, reading file contents from the CAS. Every path
/// is written (hard links become separate files); modes, owners, mtimes, symlink targets and device numbers
/// come from the manifest. The bytes depend on the tree alone, so the same tree always gives the same layer
/// digest: entries in the manifest's (sorted) order; ustar headers with the record's mtime (whole seconds), no
/// user or group names and no atime/ctime; a GNU long-name header (atime = ctime = mtime) only for a path or link
/// target longer than 100 bytes (or ids ustar cannot hold); gzip at a fixed level with a zero header mtime.
/// </summary>
internal static class LayerWriter
{
    public static BuiltLayer Write(CasStore cas, TreeManifest tree, string path, CancellationToken ct)
    {
        Digest diffId;
        using (var file = File.Create(path))
        using (var compressed = new HashingWriteStream(file, leaveOpen: true))
        {
            using (var gzip = new GZipStream(compressed, GzipOptions, leaveOpen: true))
            using (var plain = new HashingWriteStream(gzip, leaveOpen: true))
            {
                using (var tar = new TarWriter(plain, TarEntryFormat.Ustar, leaveOpen: true))
                    foreach (var e in tree.Entries)
                    {
                        ct.ThrowIfCancellationRequested();
                        if (e.Path == ".") continue;
                        WriteEntry(cas, tar, e);
                    }
                diffId = plain.Finish();
            }
            var digest = compressed.Finish();
            file.Flush();
            return new BuiltLayer(path, digest, compressed.Written, diffId);
        }
    }

    /// <summary>zlib level 6 (gzip's default), default strategy: fixed, so a layer's bytes never depend on a default.</summary>
    private static readonly ZLibCompressionOptions GzipOptions = new() { CompressionLevel = 6, CompressionStrategy = ZLibCompressionStrategy.Default };

    private const int UstarMaxId = 0x1FFFFF; // 7 octal digits

    /// <summary>True when a plain ustar header holds the name and link (≤ 100 bytes each) and the ids.</summary>
    internal static bool FitsUstar(string name, string? link, uint uid, uint gid) =>
        uid <= UstarMaxId && gid <= UstarMaxId && Encoding.UTF8.GetByteCount(name) <= 100 && (link is null || Encoding.UTF8.GetByteCount(link) <= 100);

    private static void WriteEntry(CasStore cas, TarWriter tar, TreeEntry e)
    {
        var type = e.Type switch
        {
            "dir" => TarEntryType.Directory,
            "file" => TarEntryType.RegularFile,
            "symlink" => TarEntryType.SymbolicLink,
            "char" => TarEntryType.CharacterDevice,
            "block" => TarEntryType.BlockDevice,
            "fifo" => TarEntryType.Fifo,
            _ => (TarEntryType?)null,
        };
        if (type is null) return; // sockets cannot be archived
        var name = e.Type == "dir" ? e.Path + "/" : e.Path;
        var mtime = DateTimeOffset.FromUnixTimeSeconds(Math.Max(0, e.MTime.ToUnixTimeSeconds()));
        PosixTarEntry entry;
        if (FitsUstar(name, e.Target, e.Uid, e.Gid)) entry = new UstarTarEntry(type.Value, name);
        else entry = new GnuTarEntry(type.Value, name) { AccessTime = mtime, ChangeTime = mtime };
        entry.Mode = (UnixFileMode)Convert.ToInt32(e.Mode, 8);
        entry.Uid = (int)e.Uid;
        entry.Gid = (int)e.Gid;
        entry.ModificationTime = mtime;
        if (e.Target is not null) entry.LinkName = e.Target;
        if (e.RDev is not null)
        {
            var parts = e.RDev.Split(':');
            entry.DeviceMajor = int.Parse(parts[0], CultureInfo.InvariantCulture);
            entry.DeviceMinor = int.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        if (type == TarEntryType.RegularFile && e.Digest is not null)
        {
            using var data = cas.OpenRead(Digest.Parse(e.Digest));
            entry.DataStream = data;
            tar.WriteEntry(entry);
            return;
        }
        tar.WriteEntry(entry);
    }
}
