using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Images.Rootfs;
using Volt.Images.Store;
using Volt.Workloads.Rootfs;

namespace Volt.Composition.Adapters;

/// <summary>
/// Wires Volt.Images into the container engine: an image from the CAS (<c>volt image pull/import</c>) is assembled by
/// <see cref="RootfsAssembler"/> (shared hard-linked lower dir + the container's overlay); a path to a directory is
/// overlaid as it is. The image's entrypoint+cmd, env, workdir and user become the defaults.
/// </summary>
internal sealed class ImageRootfsProvider(VoltPaths paths, Func<ImageStore> images, DirectoryRootfsProvider directories) : IRootfsProvider
{
    public RootfsSource Resolve(string image)
    {
        if (LooksLikePath(image) || Directory.Exists(image)) return directories.Resolve(image);
        var img = images().TryGet(image)
            ?? throw VoltException.NotFound($"image \"{image}\" not found (pull it with: volt image pull {image}; or give a rootfs directory)");
        var r = img.Record;
        return new RootfsSource("image", image, [.. r.Entrypoint, .. r.Cmd], r.Env,
            string.IsNullOrEmpty(r.Workdir) ? null : r.Workdir, string.IsNullOrEmpty(r.User) ? null : r.User)
        {
            Healthcheck = Healthcheck(img),
        };
    }

    /// <summary>The image config's <c>Healthcheck</c>, read from the config the record points at (kept byte-for-byte).</summary>
    private Workloads.Health.HealthcheckConfig? Healthcheck(StoredImage img)
    {
        var config = global::Volt.Images.Oci.ImageConfigFile.Parse(images().Cas.ReadAllBytes(img.Record.ConfigDigest), $"the config of {img.Name}");
        return config.Config?.Healthcheck is { } h
            ? Workloads.Health.HealthcheckConfig.FromImage(h.Test, h.Interval, h.Timeout, h.StartPeriod, h.Retries)
            : null;
    }

    public string Prepare(RootfsSource source, string containerDir) =>
        source.Kind == "image" ? new RootfsAssembler(paths).Assemble(source.Source, containerDir, source.Disposable).Rootfs : directories.Prepare(source, containerDir);

    /// <summary>Both kinds use the same rootfs/upper/work layout, so one release serves both.</summary>
    public void Release(string containerDir) => directories.Release(containerDir);

    private static bool LooksLikePath(string image) => image.StartsWith('/') || image.StartsWith("./", StringComparison.Ordinal) || image.StartsWith("../", StringComparison.Ordinal);
}
