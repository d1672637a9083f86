using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Registry;

internal static class RegistryCommands
{
    public static Command Group() => new GroupCommand("registry", "The OCI registry on Stellarium (serve, list, tokens, delete, gc)",
        new RegistryServeCommand(), new RegistryListCommand(), new RegistryStatusCommand(), new RegistryTokenCommand(),
        new RegistryDeleteCommand(), new RegistryGcCommand(), new RegistryInstallServiceCommand())
    {
        Examples =
        [
            "volt registry serve --port 5000",
            "volt registry token --push --expiry 7d",
            "podman login localhost:5000 -u volt -p \"$(volt registry token --push)\" --tls-verify=false",
            "volt registry list",
        ],
    };
}
