using System.Runtime.InteropServices;
using System.Text;
using Volt.Core.Native;

namespace Volt.Core.IO;

/// <summary>
/// Walks a directory tree with one directory file descriptor per level: getdents64 in 32 KiB batches and
/// statx/readlinkat relative to the directory's descriptor, so the kernel resolves one name per entry instead of
/// the whole path (a path stat per entry spends most of its time in the path walk). Never follows symlinks and never
/// crosses into a directory through one (O_NOFOLLOW). Visits entries in directory order, parents before children.
/// </summary>
public static unsafe partial class DirectoryWalker
{
    /// <summary>Called for every entry below the root with its '/'-separated path relative to the root.</summary>
    public delegate void Visitor(string relativePath, in FileStat stat, int dirFd, ReadOnlySpan<byte> name);

    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    private const int AT_SYMLINK_NOFOLLOW = 0x100, STATX_BASIC_STATS = 0x7ff;
    private const int BufferSize = 32 * 1024;


    private const nint SYS_getdents64 = 217; // x86-64; arm64 is 61

    /// <summary>Visits every entry under <paramref name="root"/> (not the root itself).</summary>
    public static void Walk(string root, Visitor visit, CancellationToken ct = default)
    {
        var fd = LibC.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0) throw Error(Marshal.GetLastPInvokeError(), root);
        var buffer = (byte*)NativeMemory.Alloc(BufferSize);
        try { WalkDir(fd, root, "", visit, buffer, ct); }
        finally { NativeMemory.Free(buffer); }
    }

    /// <summary>
    /// Visits the same entries in the same order as <see cref="Walk"/>, with the subtrees of the root's
    /// subdirectories walked on up to <paramref name="workers"/> threads: the root's own entries (its subdirectories
    /// included) go to <paramref name="visitRoot"/> on the calling thread, everything below its i-th subdirectory (in
    /// directory order) to <c>visitSubtree(i)</c>, one thread per subtree. <paramref name="visitSubtree"/> is called on
    /// the calling thread, for i = 0, 1, … in order, before any subtree is walked; concatenating what the root's and then
    /// each subtree's visitor saw gives <see cref="Walk"/>'s order.
    /// </summary>
    public static void WalkParallel(string root, Visitor visitRoot, Func<int, Visitor> visitSubtree, int workers, CancellationToken ct = default)
    {
        var fd = LibC.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0) throw Error(Marshal.GetLastPInvokeError(), root);
        try
        {
            List<(string Rel, byte[] Name, string Full)>? subdirs;
            var buffer = (byte*)NativeMemory.Alloc(BufferSize);
            try { subdirs = ListDir(fd, root, "", visitRoot, buffer, ct); }
            finally { NativeMemory.Free(buffer); }
            if (subdirs is null) return;
            var visitors = new Visitor[subdirs.Count];
            for (var i = 0; i < visitors.Length; i++) visitors[i] = visitSubtree(i);
            Threading.Workers.Run(workers, subdirs.Count, i =>
            {
                var (childRel, name, full) = subdirs[i];
                var child = OpenChild(fd, name, full);
                if (child < 0) return;
                var own = (byte*)NativeMemory.Alloc(BufferSize);
                try { WalkDir(child, full, childRel, visitors[i], own, ct); }
                finally { NativeMemory.Free(own); }
            }, ct);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private static nint GetDentsNumber => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 61 : SYS_getdents64;

    // Owns fd (closes it). The buffer is reused: entries of a directory are collected before recursing.
    private static void WalkDir(int fd, string fullPath, string rel, Visitor visit, byte* buffer, CancellationToken ct)
    {
        try
        {
            var subdirs = ListDir(fd, fullPath, rel, visit, buffer, ct);
            if (subdirs is null) return;
            foreach (var (childRel, name, full) in subdirs)
            {
                var child = OpenChild(fd, name, full);
                if (child >= 0) WalkDir(child, full, childRel, visit, buffer, ct);
            }
        }
        finally
        {
            LibC.close(fd);
        }
    }

    // The subdirectory name of fd, not following a symlink; -1 when it went away since it was listed.
    private static int OpenChild(int fd, byte[] name, string full)
    {
        int child;
        fixed (byte* p = NullTerminated(name)) child = LibC.openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (child >= 0) return child;
        var errno = Marshal.GetLastPInvokeError();
        return errno == Posix.ENOENT ? -1 : throw Error(errno, full);
    }

    // Visits the entries of the directory open at fd (does not close it); returns its subdirectories, in order.
    private static List<(string Rel, byte[] Name, string Full)>? ListDir(int fd, string fullPath, string rel, Visitor visit, byte* buffer, CancellationToken ct)
    {
        List<(string Rel, byte[] Name, string Full)>? subdirs = null;
        byte* statBuf = stackalloc byte[256];
        while (true)
        {
            var n = LibC.syscall_getdents64(GetDentsNumber, fd, buffer, BufferSize);
            if (n < 0) throw Error(Marshal.GetLastPInvokeError(), fullPath);
            if (n == 0) break;
            for (nint pos = 0; pos < n;)
            {
                var reclen = *(ushort*)(buffer + pos + 16);
                var namePtr = buffer + pos + 19;
                pos += reclen;
                var len = 0;
                while (namePtr[len] != 0) len++;
                if ((len == 1 && namePtr[0] == '.') || (len == 2 && namePtr[0] == '.' && namePtr[1] == '.')) continue;
                ct.ThrowIfCancellationRequested();
                var name = new ReadOnlySpan<byte>(namePtr, len);
                var childRel = rel.Length == 0 ? Encoding.UTF8.GetString(name) : string.Concat(rel, "/", Encoding.UTF8.GetString(name));
                if (LibC.statx(fd, namePtr, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, statBuf) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Posix.ENOENT) continue; // removed since it was listed
                    throw Error(errno, fullPath + "/" + Encoding.UTF8.GetString(name));
                }
                var st = FileStat.FromStatx(statBuf);
                visit(childRel, st, fd, name);
                if (st.Kind == FileKind.Directory)
                    (subdirs ??= []).Add((childRel, name.ToArray(), fullPath + "/" + Encoding.UTF8.GetString(name)));
            }
        }
        return subdirs;
    }

    /// <summary>The target of the symlink <paramref name="name"/> in the directory <paramref name="dirFd"/>.</summary>
    public static string ReadLink(int dirFd, ReadOnlySpan<byte> name)
    {
        var target = new byte[4096];
        nint n;
        fixed (byte* p = NullTerminated(name))
        fixed (byte* t = target)
            n = LibC.readlinkat(dirFd, p, t, target.Length);
        if (n < 0) throw Error(Marshal.GetLastPInvokeError(), Encoding.UTF8.GetString(name));
        return Encoding.UTF8.GetString(target, 0, (int)n);
    }

    private static byte[] NullTerminated(ReadOnlySpan<byte> name)
    {
        var z = new byte[name.Length + 1];
        name.CopyTo(z);
        return z;
    }

    private static Exception Error(int errno, string path)
    {
        var msg = $"{path}: {Marshal.GetPInvokeErrorMessage(errno)}";
        return errno switch
        {
            Posix.ENOENT => new DirectoryNotFoundException(msg),
            13 or Posix.EPERM => new UnauthorizedAccessException(msg),
            _ => new IOException(msg, errno),
        };
    }
}

/// <summary>
/// An open directory for existence checks relative to it (faccessat): the kernel resolves only the relative part,
/// not the directory's whole path, for every lookup.
/// </summary>
public sealed partial class DirectoryProbe : IDisposable
{
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, F_OK = 0, AT_SYMLINK_NOFOLLOW = 0x100;
    private int _fd;


    private DirectoryProbe(int fd) => _fd = fd;

    /// <summary>Opens <paramref name="dir"/>; null when it cannot be opened (callers fall back to path checks).</summary>
    public static DirectoryProbe? TryOpen(string dir)
    {
        var fd = LibC.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        return fd < 0 ? null : new DirectoryProbe(fd);
    }

    /// <summary>True when <paramref name="relativePath"/> exists (a final symlink is not followed).</summary>
    public bool Exists(string relativePath) => LibC.faccessat(_fd, relativePath, F_OK, AT_SYMLINK_NOFOLLOW) == 0;

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) LibC.close(fd);
    }
}
