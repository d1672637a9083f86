using System.Formats.Tar;
using System.Globalization;
using Volt.Core.Errors;
using Volt.Storage.Cas;

namespace Volt.Images.Layers;

/// <summary>
/// Applies one uncompressed layer tar to a <see cref="RootfsTree"/>: regular files become CAS objects through
/// the <see cref="ObjectStager"/>, everything else becomes tree entries; <c>.wh.NAME</c> whiteouts and
/// <c>.wh..wh..opq</c> opaque markers hide what lower layers put there.
/// </summary>
internal sealed class LayerApplier(RootfsTree tree, ObjectStager stager)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";

    public void Apply(Stream tarStream, CancellationToken ct)
    {
        using var reader = new TarReader(tarStream, leaveOpen: true);
        TarEntry? entry;
        try
        {
            while ((entry = reader.GetNextEntry(copyData: false)) is not null)
            {
                ct.ThrowIfCancellationRequested();
                ApplyEntry(entry, ct);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new VoltException(ExitCode.General, $"layer {tree.LayerName} is not a valid tar archive: {e.Message}", e);
        }
    }

    private void ApplyEntry(TarEntry e, CancellationToken ct)
    {
        var parts = tree.Normalize(e.Name);
        if (parts.Length > 0 && parts[^1].StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var dir = parts[..^1];
            if (parts[^1] == OpaqueMarker) tree.Opaque(dir, e.Name);
            else
            {
                var target = parts[^1][WhiteoutPrefix.Length..];
                if (target is "" or "." or "..") throw new HostileLayerException(tree.LayerName, e.Name, "is a whiteout of an invalid name");
                tree.WhiteOut(dir, target, e.Name);
            }
            return;
        }
        var entry = new TreeEntry
        {
            Mode = Convert.ToString((int)e.Mode & 0xFFF, 8).PadLeft(4, '0'),
            Uid = (uint)Math.Max(0, e.Uid),
            Gid = (uint)Math.Max(0, e.Gid),
            MTime = e.ModificationTime.ToUniversalTime(),
        };
        switch (e.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                entry.Type = "file";
                // A zero-length file has no data stream, but its (empty) content is an object like any other: staging
                // it is what makes the store hold it, so a fresh store's tree never names an object it lacks.
                var (digest, size) = stager.Stage(e.DataStream ?? Stream.Null, e.DataStream is null ? 0 : e.Length, ct);
                entry.Digest = digest.ToString();
                entry.Size = size;
                break;
            case TarEntryType.Directory:
                entry.Type = "dir";
                break;
            case TarEntryType.SymbolicLink:
                entry.Type = "symlink";
                entry.Target = e.LinkName;
                if (string.IsNullOrEmpty(e.LinkName) || e.LinkName.Contains('\0')) throw new HostileLayerException(tree.LayerName, e.Name, "is a symlink with an empty or invalid target");
                break;
            case TarEntryType.HardLink:
                HardLink(parts, e, entry);
                return;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                var posix = (PosixTarEntry)e;
                entry.Type = e.EntryType == TarEntryType.CharacterDevice ? "char" : "block";
                entry.RDev = string.Create(CultureInfo.InvariantCulture, $"{posix.DeviceMajor}:{posix.DeviceMinor}");
                break;
            case TarEntryType.Fifo:
                entry.Type = "fifo";
                break;
            default:
                return; // pax/GNU metadata entries are consumed by TarReader; anything else (sparse, volume labels) carries no file
        }
        tree.Put(parts, entry, e.Name);
    }

    private void HardLink(string[] parts, TarEntry e, TreeEntry entry)
    {
        string[] targetParts;
        try { targetParts = tree.Normalize(e.LinkName); }
        catch (HostileLayerException) { throw new HostileLayerException(tree.LayerName, e.Name, $"is a hard link to \"{e.LinkName}\", outside the image"); }
        var target = tree.Find(targetParts, e.LinkName);
        if (target is null || target.Type != "file")
            throw new HostileLayerException(tree.LayerName, e.Name, $"is a hard link to \"{e.LinkName}\", which is not a regular file inside the image");
        entry.Type = "file";
        entry.Digest = target.Digest;
        entry.Size = target.Size;
        entry.Mode = target.Mode; entry.Uid = target.Uid; entry.Gid = target.Gid; entry.MTime = target.MTime;
        tree.Put(parts, entry, e.Name);
    }
}
