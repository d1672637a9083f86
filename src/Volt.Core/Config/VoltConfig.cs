namespace Volt.Core.Config;

/// <summary>
/// <c>/etc/volt/config.yaml</c>, typed. Every key has a default, so a missing file means "all defaults".
/// The YAML uses snake_case keys; see docs/config.md.
/// </summary>
public sealed class VoltConfig
{
    /// <summary>Default output format when neither <c>-o</c> nor <c>VOLT_OUTPUT</c> is given.</summary>
    public string Output { get; set; } = "table";
    public string Color { get; set; } = "auto";
    /// <summary><c>auto</c> (systemd when it is PID 1, else voltd), <c>systemd</c> or <c>voltd</c>.</summary>
    public string Supervisor { get; set; } = "auto";
    public CasConfig Cas { get; } = new();
    public RegistryConfig Registry { get; } = new();
    public NetworkConfig Network { get; } = new();
}

public sealed class CasConfig
{
    /// <summary>Unreferenced objects younger than this survive GC (uploads and builds in flight).</summary>
    public TimeSpan GcGrace { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Worker threads for build/verify; 0 = one per core.</summary>
    public int Parallelism { get; set; }
}

public sealed class RegistryConfig
{
    public string Listen { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5000;
    public bool AnonymousPull { get; set; } = true;
    /// <summary>Idle upload sessions older than this are expired and their bytes reclaimed.</summary>
    public TimeSpan UploadExpiry { get; set; } = TimeSpan.FromHours(24);
    public string? TlsCert { get; set; }
    public string? TlsKey { get; set; }
}

/// <summary>The default network (<c>volt0</c>) containers join when none is named; see docs/networking.md.</summary>
public sealed class NetworkConfig
{
    /// <summary>Linux bridge of the default network (at most 15 characters).</summary>
    public string Bridge { get; set; } = "volt0";
    /// <summary>IPv4 subnet of the default network; the bridge gets its first host address.</summary>
    public string Subnet { get; set; } = "10.0.0.0/24";
}
