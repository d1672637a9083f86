using System.Runtime.InteropServices;

namespace Volt.Core.Native;

/// <summary>Mounts: mount(2), umount2(2).</summary>
public static unsafe partial class LibC
{
    public const int MNT_DETACH = 2;
    public const nuint MS_BIND = 4096, MS_REC = 16384, MS_SHARED = 1 << 20;

    [LibraryImport(Lib, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string source, string target, string fstype, nuint flags, string? data);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);
}
