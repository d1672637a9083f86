using System.Globalization;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary>Walks a directory without following symlinks and records every entry's metadata.</summary>
internal static class TreeScanner
{
    internal sealed record FileItem(string Root, long Size, TreeEntry Entry, StatKey Stat)
    {
        /// <summary>Built on demand: a cached re-build never needs it.</summary>
        public string FullPath => string.Concat(Root, "/", Entry.Path);
    }

    internal sealed class Result
    {
        public List<TreeEntry> Entries { get; } = [];
        public List<FileItem> Files { get; } = [];
        /// <summary>Stat data of every entry that is not a regular file (directories including ".", symlinks, devices…).</summary>
        public List<(string Path, StatKey Stat)> NonFiles { get; } = [];
        public long Dirs, Others;

        public TreeManifest ToManifest()
        {
            Entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            return new TreeManifest { Files = Files.Count, Dirs = Dirs, Size = Files.Sum(f => f.Entry.Size), Entries = Entries };
        }
    }

    /// <param name="workers">more than 1: the root's subdirectories are walked on that many threads (the same
    /// entries in the same order: the per-subtree results are appended in directory order).</param>
    public static Result Scan(string root, CancellationToken ct, int workers = 1)
    {
        var result = new Result();
        var trimmed = root.Length > 1 ? root.TrimEnd('/') : "";
        Add(result, trimmed, root, ".", Stat(root), -1, default);
        try
        {
            if (workers <= 1)
            {
                DirectoryWalker.Walk(root, (string rel, in FileStat st, int dirFd, ReadOnlySpan<byte> name) =>
                    Add(result, trimmed, null, rel, st, dirFd, name), ct);
                return result;
            }
            var parts = new List<Result>();
            DirectoryWalker.WalkParallel(root,
                (string rel, in FileStat st, int dirFd, ReadOnlySpan<byte> name) => Add(result, trimmed, null, rel, st, dirFd, name),
                _ =>
                {
                    var part = new Result();
                    parts.Add(part);
                    return (string rel, in FileStat st, int dirFd, ReadOnlySpan<byte> name) => Add(part, trimmed, null, rel, st, dirFd, name);
                }, workers, ct);
            foreach (var part in parts)
            {
                result.Entries.AddRange(part.Entries);
                result.Files.AddRange(part.Files);
                result.NonFiles.AddRange(part.NonFiles);
                result.Dirs += part.Dirs;
                result.Others += part.Others;
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException and not FileNotFoundException)
        {
            throw VoltException.From("Failed reading directory tree", e);
        }
        return result;
    }

    private static FileStat Stat(string path)
    {
        try { return FileStat.LStat(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw VoltException.From($"Failed reading \"{path}\"", e);
        }
    }

    private static readonly string?[] Modes = new string?[0x1000];

    private static string ModeString(uint permissions) =>
        Modes[permissions] ??= Convert.ToString(permissions, 8).PadLeft(4, '0');

    private static void Add(Result r, string root, string? full, string rel, in FileStat st, int dirFd, ReadOnlySpan<byte> name)
    {
        var entry = new TreeEntry
        {
            Path = rel,
            Mode = ModeString(st.Permissions),
            Uid = st.Uid,
            Gid = st.Gid,
            MTime = st.MTime,
        };
        if (st.Kind != FileKind.File) r.NonFiles.Add((rel, StatKey.Of(st)));
        switch (st.Kind)
        {
            case FileKind.File:
                entry.Type = "file";
                entry.Size = st.Size;
                r.Files.Add(new FileItem(root, st.Size, entry, StatKey.Of(st)));
                break;
            case FileKind.Directory:
                entry.Type = "dir";
                r.Dirs++;
                break;
            case FileKind.Symlink:
                entry.Type = "symlink";
                entry.Target = full is not null ? new FileInfo(full).LinkTarget ?? "" : DirectoryWalker.ReadLink(dirFd, name);
                r.Others++;
                break;
            case FileKind.CharDevice or FileKind.BlockDevice:
                entry.Type = st.Kind == FileKind.CharDevice ? "char" : "block";
                entry.RDev = string.Create(CultureInfo.InvariantCulture, $"{st.RDevMajor}:{st.RDevMinor}");
                r.Others++;
                break;
            case FileKind.Fifo: entry.Type = "fifo"; r.Others++; break;
            case FileKind.Socket: entry.Type = "socket"; r.Others++; break;
            default: throw new VoltException(ExitCode.General, $"\"{root}/{rel}\" has an unknown file type");
        }
        r.Entries.Add(entry);
    }
}
