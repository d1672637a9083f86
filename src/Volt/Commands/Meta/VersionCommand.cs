using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Volt.Cli;

namespace Volt.Commands.Meta;

internal sealed class VersionCommand : VoltCommand
{
    public VersionCommand() : base("version", "Show Volt's version, runtime and platform")
    {
        Examples = ["volt version", "volt version -o json"];
    }

    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        ctx.Out.Object(new JsonObject
        {
            ["version"] = Version,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["native_aot"] = !RuntimeFeature(),
            ["platform"] = $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}".ToLowerInvariant(),
        });
        return Task.FromResult(0);
    }

    private static bool RuntimeFeature() => System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported;
}
