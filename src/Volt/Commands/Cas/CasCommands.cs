using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Cas;

internal static class CasCommands
{
    public static Command Group() => new GroupCommand("cas", "Stellarium, the content-addressed store",
        new CasBuildCommand(), new CasStatusCommand(), new CasVerifyCommand(), new CasGcCommand(), new CasDedupCommand(),
        new CasPutCommand(), new CasHashCommand(), new CasCatCommand(), new CasLsRefsCommand(), new CasRmRefCommand())
    {
        Examples = ["volt cas build ./rootfs --ref images/web", "volt cas status", "volt cas verify --repair", "volt cas gc --dry-run"],
    };
}
