using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.Core.Paths;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images.Rootfs;

/// <summary>What <see cref="RootfsAssembler.Assemble"/> mounted, and the image it came from.</summary>
public sealed record AssembledRootfs(string Rootfs, string LowerDir, StoredImage Image, bool LowerCreated);

/// <summary>
/// A container's root filesystem without copying file data: the image's shared read-only lower dir (hard links to
/// CAS objects, made once per tree, see <see cref="LowerDirBuilder"/>) under a per-container overlayfs, so a write
/// inside a container lands in its own upper dir and never changes a CAS object or another container.
/// <code>
/// /var/lib/volt/images/&lt;tree-blake3-hex&gt;/lower/   shared by every image (and tag) with that tree
/// /var/lib/volt/images/.lock                       held while a lower dir is built
/// &lt;containerDir&gt;/upper/  &lt;containerDir&gt;/work/     the container's own writes (overlay upperdir/workdir)
/// &lt;containerDir&gt;/rootfs/                          the overlay mount
/// </code>
/// </summary>
public sealed class RootfsAssembler(VoltPaths paths)
{
    private CasStore Cas => new(paths.Cas);

    /// <summary>The lower dir of a tree (exists once some container assembled an image with that tree).</summary>
    public string LowerDir(Digest tree) => Path.Combine(paths.Images, tree.Hex, "lower");

    /// <summary>
    /// Mounts <c>&lt;containerDir&gt;/rootfs</c> for the image named <paramref name="image"/> (exit 3 when unknown).
    /// Idempotent: an existing mount is left as it is. Needs root and overlayfs (ERR_DEPENDENCY without it).
    /// </summary>
    /// <param name="volatileUpper">Mount the overlay <c>volatile</c> (see <see cref="Mounts.MountOverlay"/>): for a container deleted at exit.</param>
    public AssembledRootfs Assemble(string image, string containerDir, bool volatileUpper = false)
    {
        var img = new ImageStore(Cas).Get(image);
        var (lower, created) = EnsureLower(img);
        var rootfs = Path.Combine(containerDir, "rootfs");
        if (Mounts.IsMountPoint(rootfs)) return new AssembledRootfs(rootfs, lower, img, created);
        var upper = Path.Combine(containerDir, "upper");
        var work = Path.Combine(containerDir, "work");
        return Reverter.Run(null, revert =>
        {
            foreach (var d in new[] { upper, work, rootfs })
            {
                if (Directory.Exists(d)) continue;
                Directory.CreateDirectory(d);
                revert.Add($"remove {d}", () => LowerDirBuilder.Remove(d));
            }
            Mounts.MountOverlay(lower, upper, work, rootfs, volatileUpper);
            return new AssembledRootfs(rootfs, lower, img, created);
        });
    }

    /// <summary>Unmounts the container's rootfs and removes its upper, work and rootfs dirs. Idempotent.</summary>
    public void Release(string containerDir)
    {
        var rootfs = Path.Combine(containerDir, "rootfs");
        Mounts.Unmount(rootfs);
        foreach (var d in new[] { Path.Combine(containerDir, "upper"), Path.Combine(containerDir, "work"), rootfs })
        {
            if (Mounts.IsMountPoint(d)) throw new VoltException(ExitCode.Conflict, $"\"{d}\" is still a mount point");
            try { if (Directory.Exists(d)) Directory.Delete(d, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw VoltException.From($"Failed removing \"{d}\"", e); }
        }
    }

    /// <summary>Creates the image's lower dir if it does not exist yet (checking every object as it links it).</summary>
    public (string Path, bool Created) EnsureLower(StoredImage img)
    {
        var lower = LowerDir(img.Record.TreeDigest);
        if (Directory.Exists(lower)) return (lower, false);
        Directory.CreateDirectory(Path.GetDirectoryName(lower)!);
        using var _ = FileLock.Exclusive(Path.Combine(paths.Images, ".lock"));
        if (Directory.Exists(lower)) return (lower, false);
        var cas = Cas;
        var tree = TreeManifest.Load(cas, img.Record.TreeDigest);
        using (cas.WriterLock()) // keeps a concurrent GC sweep from removing objects while they are linked
            new LowerDirBuilder(cas).Build(tree, lower, img.Name.ToString());
        return (lower, true);
    }
}
