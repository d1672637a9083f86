using Volt.Core.Processes;
using Volt.Images.Build;

namespace Volt.Composition;

public sealed partial class Engines
{
    /// <summary><c>build.*</c> from config.yaml.</summary>
    public BuildConfig BuildConfig => Config.Section<BuildConfig>();

    /// <summary>Where debootstrap results and other build caches live (<c>build.cache_dir</c>).</summary>
    public string BuildCacheDir => BuildConfig.ResolveCacheDir(Paths);

    /// <summary>Containerfile builds (<c>volt image build</c>, compose's and GitOps manifests' <c>build:</c>): RUN steps on nspawn.</summary>
    public ImageBuilder ImageBuilder => new(Paths, Cas.EnsureCreated(), new Adapters.NspawnStepRunner(ProcessLauncher.Default), Parallelism, Time);

    /// <summary><c>volt image create</c>: debootstrap images, cached per machine and per store.</summary>
    public DistroImageCreator DistroImages => new(Cas.EnsureCreated(), ProcessLauncher.Default, Processes, BuildCacheDir, Parallelism, Time);
}
