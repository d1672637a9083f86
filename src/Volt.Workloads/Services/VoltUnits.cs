using Volt.Units;

namespace Volt.Workloads.Services;

/// <summary>
/// The units of Volt's own servers, rendered with <see cref="UnitFileBuilder"/> into the units directory like any
/// service: <c>volt-gitops.service</c>, <c>volt-registry.service</c> (either supervisor runs them), and voltd's
/// <c>volt.service</c> + <c>volt.socket</c> (socket activation where systemd runs; elsewhere the CLI starts voltd on
/// demand).
/// </summary>
public static class VoltUnits
{
    public const string GitOps = "volt-gitops";
    public const string Registry = "volt-registry";
    public const string Daemon = "volt";

    /// <summary>A foreground server command of the volt binary as a service (restarted on failure).</summary>
    public static string Server(string name, string description, IReadOnlyList<string> argv, string? voltRoot)
    {
        var b = new UnitFileBuilder(ServiceName.UnitName(name))
            .Comment($"Written by volt; change it with: volt service edit {name}")
            .Section("Unit").Add("Description", UnitQuoting.Specifiers(description))
            .Add("After", "network-online.target").Add("Wants", "network-online.target")
            .Section("Service").Add("Type", "simple");
        if (voltRoot is not null) b.Add("Environment", UnitQuoting.Environment("VOLT_ROOT", voltRoot));
        b.AddCommand("ExecStart", argv)
            .Add("Restart", "on-failure").Add("RestartSec", "2s").Add("TimeoutStopSec", "60s")
            .Section("Install").Add("WantedBy", "multi-user.target");
        return b.Build().Render();
    }

    /// <summary><c>volt.service</c>: voltd, activated by <see cref="DaemonSocket"/> under systemd.</summary>
    public static string DaemonService(string executable, string? voltRoot)
    {
        var b = new UnitFileBuilder("volt.service")
            .Comment("voltd: Volt's daemon. Under systemd it is socket-activated by volt.socket.")
            .Section("Unit").Add("Description", "Volt daemon (voltd)").Add("Requires", "volt.socket").Add("After", "volt.socket network-online.target")
            .Section("Service").Add("Type", "simple");
        if (voltRoot is not null) b.Add("Environment", UnitQuoting.Environment("VOLT_ROOT", voltRoot));
        return b.AddCommand("ExecStart", [executable, "daemon"]).Add("Restart", "on-failure").Add("TimeoutStopSec", "90s")
            .Section("Install").Add("WantedBy", "multi-user.target").Build().Render();
    }

    /// <summary><c>volt.socket</c>: the API socket systemd holds and hands to voltd on the first connection.</summary>
    public static string DaemonSocket(string socketPath) =>
        new UnitFileBuilder("volt.socket")
            .Section("Unit").Add("Description", "Volt daemon API socket")
            .Section("Socket").Add("ListenStream", UnitQuoting.Specifiers(socketPath)).Add("SocketMode", "0660").Add("SocketGroup", Core.Security.AccessRules.VoltGroup)
            .Section("Install").Add("WantedBy", "sockets.target").Build().Render();
}
