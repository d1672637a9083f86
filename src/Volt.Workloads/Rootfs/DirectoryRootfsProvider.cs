using Volt.Core.Errors;
using Volt.Core.Processes;

namespace Volt.Workloads.Rootfs;

/// <summary>
/// A plain directory as the image: mounted read-only as the overlay's lower layer, so any number of containers share
/// it and writes land in the container's own <c>upper/</c>. The directory itself is never changed.
/// </summary>
public sealed class DirectoryRootfsProvider(IProcessRunner runner) : IRootfsProvider
{
    public RootfsSource Resolve(string image)
    {
        var full = Path.GetFullPath(image);
        if (!Directory.Exists(full))
            throw VoltException.NotFound($"image \"{image}\" not found: no such directory (and no image store is configured)");
        if (!File.Exists(Path.Combine(full, "bin", "sh")) && Directory.GetFileSystemEntries(full).Length == 0)
            throw VoltException.NotFound($"image \"{image}\" is an empty directory");
        return new RootfsSource("dir", full, ["/bin/sh"], [], null, null);
    }

    public string Prepare(RootfsSource source, string containerDir)
    {
        var target = Path.Combine(containerDir, "rootfs");
        OverlayMount.Mount(runner, [source.Source], Path.Combine(containerDir, "upper"), Path.Combine(containerDir, "work"), target, source.Disposable);
        return target;
    }

    public void Release(string containerDir)
    {
        var target = Path.Combine(containerDir, "rootfs");
        OverlayMount.Unmount(runner, target);
        // A directory still mounted (a mount Volt did not make) is left alone: one statx each, not a mount-table read.
        foreach (var d in new[] { target, Path.Combine(containerDir, "upper"), Path.Combine(containerDir, "work") })
            if (Directory.Exists(d) && !OverlayMount.IsMountPoint(d)) Directory.Delete(d, recursive: true);
    }
}
