using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>Processes, users and namespaces: kill, uids, setns.</summary>
public static unsafe partial class LibC
{
    /// <summary>kill(2): a negative <paramref name="pid"/> signals that process group.</summary>
    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, EntryPoint = "getuid")]
    public static partial uint getuid();

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint geteuid();

    [LibraryImport(Lib, EntryPoint = "getpgid", SetLastError = true)]
    public static partial int getpgid(int pid);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int setns(int fd, int nstype);
}
