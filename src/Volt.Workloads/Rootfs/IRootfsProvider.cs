namespace Volt.Workloads.Rootfs;

/// <summary>What an image or directory contributes to a container besides its files.</summary>
/// <param name="Kind"><c>dir</c> or <c>image</c>: which provider assembles and releases it.</param>
/// <param name="Source">The directory path or the resolved image reference.</param>
public sealed record RootfsSource(string Kind, string Source, IReadOnlyList<string> DefaultCommand, IReadOnlyList<string> Env, string? Workdir, string? User)
{
    /// <summary>The image config's <c>Healthcheck</c> (null: none, or a directory source).</summary>
    public Health.HealthcheckConfig? Healthcheck { get; init; }

    /// <summary>
    /// The container is deleted when it exits (<c>--rm</c>): nothing it writes to its root filesystem has to survive a
    /// crash, so the overlay is mounted <c>volatile</c> (no sync of the upper filesystem, at the payload's fsyncs or at
    /// the unmount: docs/decisions.md).
    /// </summary>
    public bool Disposable { get; init; }

    /// <summary>The source a created container's config records (for re-assembly at start).</summary>
    public static RootfsSource Of(Containers.ContainerConfig c) =>
        new(c.RootfsKind, c.RootfsSource ?? c.Image, c.Command, c.Env, c.Workdir, c.User) { Disposable = c.AutoRemove };
}

/// <summary>
/// Turns what the user named (an image reference or a directory) into <c>containers/&lt;name&gt;/rootfs</c> and
/// takes it away again. Directory sources are overlaid (many containers on one directory, writes stay private);
/// image sources come from Volt.Images.
/// </summary>
public interface IRootfsProvider
{
    /// <summary>Finds the image or directory; unknown → exit 3 naming it.</summary>
    RootfsSource Resolve(string image);

    /// <summary>Makes <paramref name="containerDir"/>/rootfs usable (idempotent: also re-mounts after a reboot).</summary>
    string Prepare(RootfsSource source, string containerDir);

    /// <summary>Unmounts and removes everything <see cref="Prepare"/> made; idempotent.</summary>
    void Release(string containerDir);
}
