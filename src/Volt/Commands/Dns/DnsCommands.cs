using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Dns;

internal static class DnsCommands
{
    /// <summary>The unit name of the volt-dns service.</summary>
    public const string Unit = "volt-dns";

    public static Command Group() => new GroupCommand("dns", "volt-dns: workload names on each network's gateway, everything else forwarded",
        new DnsListCommand(), new DnsLookupCommand(), new DnsServeCommand(), new DnsInstallServiceCommand())
    {
        Examples =
        [
            "volt dns list",
            "volt dns lookup db --from api",
            "sudo volt dns install-service && volt service start volt-dns",
        ],
    };
}
