using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Volt.Core.Config;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Composition;

/// <summary>
/// The composition root: the one place that builds Volt's engines and the adapters between them, for the CLI
/// (<c>VoltContext.Engines</c>) and voltd alike. Each engine is created on first use and then kept, so a command pays
/// only for what it touches (<c>volt --help</c> builds none). Hand-written on purpose: no DI container, no
/// reflection, nothing for Native AOT to trim. A new engine adds a lazy property here (in a partial file of its own)
/// and, if it reads <c>config.yaml</c>, a section registered in <see cref="ConfigSections"/>.
/// </summary>
/// <remarks>
/// Not a unit of thread-safety: properties may be read from several threads (a GitOps server's deploys); two racing
/// first reads build one instance and both get it.
/// </remarks>
public sealed partial class Engines
{
    /// <param name="paths">Where everything lives (<c>VOLT_ROOT</c>).</param>
    /// <param name="config">The loaded <c>config.yaml</c>.</param>
    /// <param name="time">The clock every engine gets.</param>
    /// <param name="processes">The runner for host tools (ip, nft, git, systemctl…).</param>
    /// <param name="logging">Where engines log (voltd: the console; the CLI: nowhere).</param>
    /// <param name="voltHost"><c>VOLT_HOST</c>: voltd's socket when not the default.</param>
    /// <param name="configFile"><c>VOLT_CONFIG</c>: the config voltd (started on demand, or reloading) reads.</param>
    public Engines(VoltPaths paths, VoltConfig config, TimeProvider? time = null, IProcessRunner? processes = null,
        ILoggerFactory? logging = null, string? voltHost = null, string? configFile = null)
    {
        Paths = paths;
        Config = config;
        Time = time ?? TimeProvider.System;
        Processes = processes ?? new ProcessRunner();
        Logging = logging ?? NullLoggerFactory.Instance;
        VoltHost = voltHost;
        ConfigFile = configFile;
    }

    public VoltPaths Paths { get; }
    public VoltConfig Config { get; }
    public TimeProvider Time { get; }
    public IProcessRunner Processes { get; }
    public ILoggerFactory Logging { get; }
    public string? VoltHost { get; }
    public string? ConfigFile { get; }

    /// <summary>The same wiring with another logger factory (voltd logs to its console); nothing built is shared.</summary>
    public Engines WithLogging(ILoggerFactory logging) => new(Paths, Config, Time, Processes, logging, VoltHost, ConfigFile);

    /// <summary>Worker threads for CAS builds and verifies: <c>cas.parallelism</c>, 0 = one per core.</summary>
    public int Parallelism => Config.Section<CasConfig>().Workers;

    /// <summary>Stellarium, the content-addressed store (not created on disk until something writes).</summary>
    public CasStore Cas => Once(ref _cas, () => new CasStore(Paths.Cas, Time));
    private CasStore? _cas;

    /// <summary>Image records on the CAS.</summary>
    public ImageStore Images => Once(ref _images, () => new ImageStore(Cas));
    private ImageStore? _images;

    private static T Once<T>(ref T? field, Func<T> create) where T : class =>
        field ?? Interlocked.CompareExchange(ref field, create(), null) ?? field!;
}
