using Volt.Core.Native;

namespace Volt.Network.Netlink;

/// <summary>
/// Named network namespaces as <c>ip netns add|del</c> makes them (iproute2 ip/ipnetns.c), in-process: the
/// <c>/run/netns</c> directory made a shared mount (so a namespace file unmounted in one mount namespace goes in all
/// of them), an empty file <c>/run/netns/NAME</c>, a thread that <c>unshare(CLONE_NEWNET)</c>s and bind-mounts its
/// <c>/proc/thread-self/ns/net</c> onto that file. Deleting is a lazy unmount and an unlink.
/// </summary>
internal static class NamedNetns
{
    public const string RunDir = "/run/netns";

    public static string PathOf(string name) => RunDir + "/" + name;

    /// <summary>Creates <c>/run/netns/NAME</c> (EEXIST when it is there already); nothing is left when it fails.</summary>
    public static void Create(string name)
    {
        var path = PathOf(name);
        EnsureRunDir();
        try { using (new FileStream(path, FileMode.CreateNew, FileAccess.Write)) { } }
        catch (IOException) when (File.Exists(path)) { throw new NetlinkException(NetlinkSocket.EEXIST, $"network namespace \"{name}\" already exists"); }
        try
        {
            NetnsThread.OnThread(() =>
            {
                if (LibC.unshare(LibC.CLONE_NEWNET) != 0)
                    throw new NetlinkException(LibC.Errno, $"unshare(CLONE_NEWNET): {LibC.Describe(LibC.Errno)}");
                if (LibC.mount("/proc/thread-self/ns/net", path, "none", LibC.MS_BIND, null) != 0)
                    throw new NetlinkException(LibC.Errno, $"bind-mounting the new namespace on {path}: {LibC.Describe(LibC.Errno)}");
                return 0;
            });
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Unmounts and removes <c>/run/netns/NAME</c>; false when it was not there.</summary>
    public static bool Delete(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path)) return false;
        // EINVAL: not mounted (a half-made one): the unlink below is all that is left to do.
        if (LibC.umount2(path, LibC.MNT_DETACH) != 0 && LibC.Errno is not Errno.EINVAL and not Errno.ENOENT)
            throw new NetlinkException(LibC.Errno, $"unmounting {path}: {LibC.Describe(LibC.Errno)}");
        File.Delete(path);
        return true;
    }

    /// <summary><c>mount --make-rshared /run/netns</c>, first bind-mounting the directory on itself when it is no mount point.</summary>
    private static void EnsureRunDir()
    {
        // Every time, as ip does (one cheap syscall): someone may have unmounted /run/netns since.
        Directory.CreateDirectory(RunDir);
        var bound = false;
        while (LibC.mount("", RunDir, "none", LibC.MS_SHARED | LibC.MS_REC, null) != 0)
        {
            var errno = LibC.Errno;
            if (errno != Errno.EINVAL || bound)
                throw new NetlinkException(errno, $"mount --make-shared {RunDir}: {LibC.Describe(errno)}");
            if (LibC.mount(RunDir, RunDir, "none", LibC.MS_BIND | LibC.MS_REC, null) != 0)
                throw new NetlinkException(LibC.Errno, $"mount --bind {RunDir} {RunDir}: {LibC.Describe(LibC.Errno)}");
            bound = true;
        }
    }
}
