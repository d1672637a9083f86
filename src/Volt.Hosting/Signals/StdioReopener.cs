using System.Globalization;
using Volt.Core.IO;
using Volt.Core.Native;

namespace Volt.Hosting.Signals;

/// <summary>
/// SIGUSR2's "reopen the log": a server whose stdout/stderr is a log file (voltd on <c>daemon.log</c>) remembers that
/// file (path, device and inode) at start; after logrotate moved it away, <see cref="Reopen"/> opens the path again
/// (creating it) and dup2's the new file over <em>every</em> descriptor of the process that still holds the old one:
/// fd 1 and 2, and the private duplicates .NET's console keeps of them, so the console logger writes its next line to
/// the new file too. Terminals, pipes and the journal are left alone.
/// </summary>
public sealed class StdioReopener
{
    private readonly string _procFd;
    private readonly List<LogFile> _files = [];

    private sealed class LogFile(string path, FileStat stat)
    {
        public string Path { get; } = path;
        public FileStat Stat { get; set; } = stat;
    }

    public StdioReopener(string procFd = "/proc/self/fd")
    {
        _procFd = procFd;
        foreach (var fd in new[] { "1", "2" })
            if (LogFileBehind(System.IO.Path.Combine(procFd, fd)) is { } f && !_files.Any(x => Same(x.Stat, f.Stat))) _files.Add(f);
    }

    /// <summary>The files reopened on <see cref="Reopen"/> (empty when stdio is not a file).</summary>
    public IReadOnlyList<string> Files => [.. _files.Select(f => f.Path)];

    public void Reopen()
    {
        foreach (var file in _files)
        {
            var fd = LibC.open(file.Path, 0x1 /* O_WRONLY */ | 0x400 /* O_APPEND */ | 0x40 /* O_CREAT */ | 0x80000 /* O_CLOEXEC */, Convert.ToInt32("640", 8));
            if (fd < 0) throw new IOException($"cannot reopen log file \"{file.Path}\"");
            try
            {
                var fresh = FileStat.Stat(System.IO.Path.Combine(_procFd, fd.ToString(CultureInfo.InvariantCulture)));
                if (Same(fresh, file.Stat)) continue; // not moved: nothing to do
                foreach (var holder in Holders(file.Stat, except: fd)) Posix.Dup2(fd, holder);
                file.Stat = fresh;
            }
            finally { LibC.close(fd); }
        }
    }

    private IEnumerable<int> Holders(FileStat old, int except)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(_procFd))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == except) continue;
            try { if (Same(FileStat.Stat(entry), old)) found.Add(n); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // closed meanwhile
        }
        return found;
    }

    private static bool Same(FileStat a, FileStat b) => a.Inode == b.Inode && a.DevMajor == b.DevMajor && a.DevMinor == b.DevMinor;

    private static LogFile? LogFileBehind(string fdLink)
    {
        try
        {
            var target = new FileInfo(fdLink).LinkTarget;
            if (target is null || !target.StartsWith('/') || target.StartsWith("/dev/", StringComparison.Ordinal)) return null;
            var stat = FileStat.Stat(fdLink);
            return stat.Kind == FileKind.File ? new LogFile(target, stat) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
