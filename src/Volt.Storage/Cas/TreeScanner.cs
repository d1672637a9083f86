using System.Globalization;
using System.IO.Enumeration;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary>Walks a directory without following symlinks and records every entry's metadata.</summary>
internal static class TreeScanner
{
    internal sealed record FileItem(string FullPath, long Size, TreeEntry Entry, StatKey Stat);

    internal sealed class Result
    {
        public List<TreeEntry> Entries { get; } = [];
        public List<FileItem> Files { get; } = [];
        public long Dirs, Others;

        public TreeManifest ToManifest()
        {
            Entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            return new TreeManifest { Files = Files.Count, Dirs = Dirs, Size = Files.Sum(f => f.Entry.Size), Entries = Entries };
        }
    }

    public static Result Scan(string root, CancellationToken ct)
    {
        var result = new Result();
        Add(result, root, ".", Stat(root));
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false,
            ReturnSpecialDirectories = false, MatchType = MatchType.Simple,
        };
        var walk = new FileSystemEnumerable<string>(root, (ref FileSystemEntry e) => e.ToFullPath(), options)
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        int prefix = root.EndsWith('/') ? root.Length : root.Length + 1;
        try
        {
            foreach (var full in walk)
            {
                ct.ThrowIfCancellationRequested();
                // The enumerator yields root + '/' + relative path: cut the prefix (GetRelativePath re-normalises
                // both paths per entry, a measurable share of a cached re-build).
                var rel = full.Length > prefix && full.StartsWith(root, StringComparison.Ordinal)
                    ? full[prefix..] : Path.GetRelativePath(root, full);
                Add(result, full, rel, Stat(full));
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

    private static void Add(Result r, string full, string rel, FileStat st)
    {
        var entry = new TreeEntry
        {
            Path = rel,
            Mode = Convert.ToString(st.Permissions, 8).PadLeft(4, '0'),
            Uid = st.Uid,
            Gid = st.Gid,
            MTime = st.MTime,
        };
        switch (st.Kind)
        {
            case FileKind.File:
                entry.Type = "file";
                entry.Size = st.Size;
                r.Files.Add(new FileItem(full, st.Size, entry, StatKey.Of(st)));
                break;
            case FileKind.Directory:
                entry.Type = "dir";
                r.Dirs++;
                break;
            case FileKind.Symlink:
                entry.Type = "symlink";
                entry.Target = new FileInfo(full).LinkTarget ?? "";
                r.Others++;
                break;
            case FileKind.CharDevice or FileKind.BlockDevice:
                entry.Type = st.Kind == FileKind.CharDevice ? "char" : "block";
                entry.RDev = string.Create(CultureInfo.InvariantCulture, $"{st.RDevMajor}:{st.RDevMinor}");
                r.Others++;
                break;
            case FileKind.Fifo: entry.Type = "fifo"; r.Others++; break;
            case FileKind.Socket: entry.Type = "socket"; r.Others++; break;
            default: throw new VoltException(ExitCode.General, $"\"{full}\" has an unknown file type");
        }
        r.Entries.Add(entry);
    }
}
