using Volt.Core.Config;
using Volt.Core.Paths;

namespace Volt.Registry.Hosting;

/// <summary>Everything a registry server needs; <see cref="FromConfig"/> fills it from <c>registry.*</c>.</summary>
public sealed class RegistryOptions
{
    public required VoltPaths Paths { get; init; }
    /// <summary>An IP address, or <c>localhost</c>.</summary>
    public string Listen { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port (tests); the bound address is on <see cref="RunningRegistry.Address"/>.</summary>
    public int Port { get; init; } = 5000;
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    public bool AnonymousPull { get; init; } = true;
    public TimeSpan UploadExpiry { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeProvider Time { get; init; } = TimeProvider.System;
    /// <summary>Also receives every request log line (the CLI passes stderr when serving in the foreground).</summary>
    public TextWriter? LogEcho { get; init; }
    /// <summary>Where the request log goes; default <c>/var/log/volt/registry.log</c>.</summary>
    public string LogFile => Path.Combine(Paths.Log, "registry.log");
    /// <summary>Where the server publishes its counters for <c>volt registry status</c>.</summary>
    public string StatusFile => Path.Combine(Paths.Run, "registry-status.json");

    public static RegistryOptions FromConfig(VoltPaths paths, RegistryConfig c, TimeProvider? time = null, TextWriter? echo = null) => new()
    {
        Paths = paths, Listen = c.Listen, Port = c.Port, TlsCert = c.TlsCert, TlsKey = c.TlsKey, AnonymousPull = c.AnonymousPull,
        UploadExpiry = c.UploadExpiry, Time = time ?? TimeProvider.System, LogEcho = echo,
    };
}
