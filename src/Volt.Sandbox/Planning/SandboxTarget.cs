namespace Volt.Sandbox.Planning;

public enum SandboxKind { Container, Service, Host }

/// <summary>
/// Where a sandbox applies. <paramref name="Exists"/> checks a policy FILE's paths where the payload sees them (a
/// container's rootfs; the host). <paramref name="Writable"/>: extra writable paths (a container's read-write
/// volumes) added to a restricting policy. On the host (services, <c>volt sandbox run</c>) a profile's directory rule
/// never grants the host's secrets (<see cref="SandboxPlanner.HostSecrets"/>).
/// </summary>
public sealed record SandboxTarget(SandboxKind Kind, Func<string, bool> Exists, IReadOnlyList<string>? Writable = null)
{
    public static SandboxTarget Host(SandboxKind kind = SandboxKind.Host) => new(kind, p => File.Exists(p) || Directory.Exists(p));

    /// <summary>Paths nspawn provides in every container (/dev, /proc, /sys, /run): not in the image, there at run time.</summary>
    public static bool ProvidedByNspawn(string path) =>
        new[] { "/dev", "/proc", "/sys", "/run" }.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal));
}
