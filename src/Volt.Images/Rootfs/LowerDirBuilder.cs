using System.Globalization;
using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Storage.Cas;

namespace Volt.Images.Rootfs;

/// <summary>
/// Materialises a tree manifest as a read-only directory of hard links to CAS objects: the shared lower layer of
/// every container on that image. Built in a temp directory beside its final place and renamed into place, so a
/// crash never leaves a half-made lower dir. Every object is checked (size, then BLAKE3) before it is linked: a
/// corrupt object fails the assembly with an error naming it.
/// <para>
/// Hard links share the inode with the CAS object, so the mode, owner and mtime set on the link are the object's.
/// Decision: objects carry no meaning in their metadata (the CAS names them by content only and <c>cas verify</c>
/// checks content only), so the first lower dir that links an object (link count 1: only the CAS holds it)
/// claims it and sets the inode's mode/owner/mtime to its entry's. A later entry with the same content links the
/// same inode only if the mode and owner already match; otherwise that one file is copied. Entries that would
/// make a shared inode setuid, setgid or world-writable are always copied, so a CAS object never becomes one.
/// mtimes of linked files are best-effort (a later put of the same content touches the object).
/// </para>
/// </summary>
internal sealed class LowerDirBuilder(CasStore cas)
{
    private static readonly bool IsRoot = Posix.IsRoot;

    public long Linked { get; private set; }
    public long Copied { get; private set; }

    public void Build(TreeManifest tree, string target, string imageName)
    {
        var tmp = $"{target}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            Directory.CreateDirectory(tmp);
            var dirs = new List<(string Path, TreeEntry Entry)>();
            foreach (var e in tree.Entries)
            {
                var path = e.Path == "." ? tmp : Path.Combine(tmp, e.Path);
                switch (e.Type)
                {
                    case "dir":
                        Directory.CreateDirectory(path);
                        dirs.Add((path, e));
                        continue;
                    case "file": PlaceFile(e, path, imageName); continue;
                    case "symlink":
                        File.CreateSymbolicLink(path, e.Target ?? "");
                        Own(path, e);
                        Check(Native.SetMTime(path, e.MTime), "set mtime", path);
                        continue;
                    case "char" or "block" or "fifo": MakeNode(e, path); continue;
                    default: continue; // sockets are not materialised
                }
            }
            // Directories last, deepest first: creating children changes a directory's mtime.
            for (var i = dirs.Count - 1; i >= 0; i--) Apply(dirs[i].Path, dirs[i].Entry);
            try { Directory.Move(tmp, target); }
            catch (IOException) when (Directory.Exists(target)) { Remove(tmp); }
        }
        catch (Exception e)
        {
            Remove(tmp);
            if (e is VoltException) throw;
            throw VoltException.From($"Failed building the lower dir of image \"{imageName}\"", e);
        }
    }

    private void PlaceFile(TreeEntry e, string path, string imageName)
    {
        var digest = Digest.Parse(e.Digest!);
        var obj = cas.ObjectPath(digest);
        if (!FileStat.TryLStat(obj, out var st))
            throw VoltException.NotFound($"CAS object {digest} (\"{e.Path}\" of image \"{imageName}\") is missing: pull the image again");
        if (st.Size != e.Size)
            throw new VoltException(ExitCode.General, $"CAS object {digest} (\"{e.Path}\" of image \"{imageName}\") is corrupt: {st.Size} bytes, expected {e.Size}; run 'volt cas verify --repair' and pull again");
        using (var h = File.OpenHandle(obj, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan))
        {
            var (actual, _) = CasStore.HashHandle(h, HashAlgo.Blake3);
            if (actual != digest)
                throw new VoltException(ExitCode.General, $"CAS object {digest} (\"{e.Path}\" of image \"{imageName}\") is corrupt: content hashes to {actual}; run 'volt cas verify --repair' and pull again");
        }
        var mode = Convert.ToUInt32(e.Mode, 8);
        var shareable = (mode & 0xC02) == 0; // no setuid (04000), setgid (02000) or world-write (0002)
        var ownerMatches = !IsRoot || (st.Uid == e.Uid && st.Gid == e.Gid);
        if (shareable && (st.NLink == 1 || (st.Permissions == mode && ownerMatches)))
        {
            if (st.NLink == 1) Apply(obj, e);
            var errno = Native.Link(obj, path);
            if (errno == 0) { Linked++; return; }
            if (errno is not (Native.EXDEV or Native.EMLINK or Native.EPERM)) Check(errno, "link", path);
            // another filesystem, the link limit, or protected_hardlinks: copy instead
        }
        File.Copy(obj, path);
        Apply(path, e);
        Copied++;
    }

    private static void MakeNode(TreeEntry e, string path)
    {
        var perm = Convert.ToUInt32(e.Mode, 8);
        uint major = 0, minor = 0;
        if (e.RDev is { } rdev)
        {
            var parts = rdev.Split(':');
            major = uint.Parse(parts[0], CultureInfo.InvariantCulture);
            minor = uint.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        var kind = e.Type switch { "char" => 0x2000u, "block" => 0x6000u, _ => 0x1000u };
        if (kind != 0x1000u && !IsRoot) return; // device nodes need root; an unprivileged lower dir goes without
        Check(Native.Mknod(path, kind | perm, major, minor), "mknod", path);
        Apply(path, e);
    }

    private static void Apply(string path, TreeEntry e)
    {
        Own(path, e); // before chmod: chown clears setuid/setgid
        Check(Native.Chmod(path, Convert.ToUInt32(e.Mode, 8)), "chmod", path);
        Check(Native.SetMTime(path, e.MTime), "set mtime", path);
    }

    private static void Own(string path, TreeEntry e)
    {
        if (IsRoot) Check(Native.Lchown(path, e.Uid, e.Gid), "chown", path);
    }

    private static void Check(int errno, string what, string path)
    {
        if (errno != 0) throw new IOException($"{what} \"{path}\": {Native.Describe(errno)}", errno);
    }

    public static void Remove(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
