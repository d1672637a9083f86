using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>Files and directories: open/close/read/write, sync, locks, metadata, links, renames.</summary>
public static unsafe partial class LibC
{
    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, uint owner, uint group);

    [LibraryImport(Lib, EntryPoint = "dup2", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "pread", SetLastError = true)]
    public static partial nint pread(int fd, byte* buf, nint count, long offset);

    [LibraryImport(Lib, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint pwrite(int fd, byte* buf, nint count, long offset);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "syncfs", SetLastError = true)]
    public static partial int syncfs(int fd);

    [LibraryImport(Lib, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int fdatasync(int fd);

    [LibraryImport(Lib, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rename(string oldpath, string newpath);

    [LibraryImport(Lib, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlink(string path);

    [LibraryImport(Lib, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, byte* buf);

    /// <summary>utimensat(2) with NULL <paramref name="times"/> (now) or a pointer to two <c>timespec</c>s.</summary>
    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int utimensat(int dirfd, string path, long* times, int flags);

    [LibraryImport(Lib, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport(Lib, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lchown(string path, uint uid, uint gid);

    [LibraryImport(Lib, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int link(string existing, string newPath);

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true)]
    public static partial int openat(int dirfd, byte* path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true)]
    public static partial int statx(int dirfd, byte* path, int flags, uint mask, byte* buf);

    /// <summary>mmap(2); returns <see cref="MAP_FAILED"/> on error.</summary>
    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int munmap(void* addr, nuint length);

    [LibraryImport(Lib, EntryPoint = "madvise", SetLastError = true)]
    public static partial int madvise(void* addr, nuint length, int advice);

    public const int PROT_READ = 1, MAP_PRIVATE = 2, MAP_POPULATE = 0x8000;
    public const int MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4, MADV_HUGEPAGE = 14, MADV_POPULATE_READ = 22;

    /// <summary>mmap's error return, (void*)-1.</summary>
    public static readonly void* MAP_FAILED = (void*)-1;

    [LibraryImport(Lib, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint readlinkat(int dirfd, byte* path, byte* buf, nint size);

    [LibraryImport(Lib, EntryPoint = "faccessat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int faccessat(int dirfd, string path, int mode, int flags);

    /// <summary>getdents64(2) through syscall(2): glibc 2.36 has no wrapper (217 on x86-64, 61 on arm64).</summary>
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial nint syscall_getdents64(nint number, int fd, byte* buf, nint count);

    /// <summary>fcntl(2) with an int argument (F_GETFD/F_SETFD/F_GETFL).</summary>
    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);
    /// <summary>lgetxattr(2): an extended attribute of a path (not following a symlink); -1 with ENODATA when absent.</summary>
    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint lgetxattr(string path, string name, byte* value, nuint size);
}
