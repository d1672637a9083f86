using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using Volt.Storage.Cas;

namespace Volt.Images.Push;

/// <summary>A layer tar written from a tree: the gzip file, its digest and size, and the uncompressed diff_id.</summary>
public sealed record BuiltLayer(string Path, Digest Digest, long Size, Digest DiffId);

/// <summary>
/// Rebuilds one gzip layer tar from a volt.tree/v1 manifest, reading file contents from the CAS. Every path
/// is written (hard links become separate files); modes, owners, mtimes, symlink targets and device numbers
/// come from the manifest.
/// </summary>
internal static class LayerWriter
{
    public static BuiltLayer Write(CasStore cas, TreeManifest tree, string path, CancellationToken ct)
    {
        Digest diffId;
        using (var file = File.Create(path))
        using (var compressed = new HashingWriteStream(file, leaveOpen: true))
        {
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            using (var plain = new HashingWriteStream(gzip, leaveOpen: true))
            {
                using (var tar = new TarWriter(plain, TarEntryFormat.Pax, leaveOpen: true))
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
        var entry = new PaxTarEntry(type.Value, e.Type == "dir" ? e.Path + "/" : e.Path)
        {
            Mode = (UnixFileMode)Convert.ToInt32(e.Mode, 8),
            Uid = (int)e.Uid,
            Gid = (int)e.Gid,
            ModificationTime = e.MTime,
        };
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
