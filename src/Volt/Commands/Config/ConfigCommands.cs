using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;

namespace Volt.Commands.Config;

internal static class ConfigCommands
{
    public static Command Group() => new GroupCommand("config", "Show and validate Volt's configuration", new ConfigShowCommand(), new ConfigValidateCommand())
    {
        Examples = ["volt config show", "volt config validate --config ./config.yaml"],
    };
}

internal sealed class ConfigShowCommand : VoltCommand
{
    public ConfigShowCommand() : base("show", "Show the effective configuration (file values over defaults)")
    {
        Examples = ["volt config show", "volt config show -o yaml"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var c = ctx.Config;
        var shown = new JsonObject { ["root"] = ctx.Paths.Root, ["output"] = c.Output, ["color"] = c.Color };
        foreach (var section in c.Sections) shown[section.Key] = section.Show();  // each engine shows its own section
        ctx.Out.Object(shown);
        return Task.FromResult(0);
    }
}

internal sealed class ConfigValidateCommand : VoltCommand
{
    public ConfigValidateCommand() : base("validate", "Validate the config file; every error is reported at once (exit 12)")
    {
        Examples = ["volt config validate", "VOLT_CONFIG=./new.yaml volt config validate"];
    }

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        // Loading the context already validated the file: reaching here means it is valid.
        ctx.Out.Line("config is valid");
        return Task.FromResult(0);
    }
}
