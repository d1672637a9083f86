using System.CommandLine;
using Volt.Rendering;

namespace Volt.Cli;

/// <summary>Options every command accepts (recursive on the root).</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "Output format: table, json or yaml (default: $VOLT_OUTPUT, then config, then table)",
        Recursive = true,
        HelpName = "table|json|yaml",
    };

    public static readonly Option<string?> Root = new Option<string?>("--root")
    {
        Description = "Relocate every host path under this directory (default: $VOLT_ROOT, else /)",
        Recursive = true,
        HelpName = "DIR",
    }.AcceptPath();

    public static readonly Option<string?> Config = new Option<string?>("--config")
    {
        Description = "Config file (default: $VOLT_CONFIG, else /etc/volt/config.yaml)",
        Recursive = true,
        HelpName = "FILE",
    }.AcceptPath();

    public static readonly Option<bool> Debug = new("--debug")
    {
        Description = "Print stack traces and debug detail (also $VOLT_DEBUG=1)",
        Recursive = true,
    };

    static GlobalOptions()
    {
        Output.AcceptOneOf(OutputFormats.Names);
    }

    public static IEnumerable<Option> All => [Output, Root, Config, Debug];

    /// <summary>Whether <paramref name="token"/> is a global option whose value is the next argument (<c>-o json</c>, <c>--root DIR</c>).</summary>
    public static bool TakesValue(string token)
    {
        foreach (var o in (Option[])[Output, Root, Config])
            if (o.Name == token || o.Aliases.Contains(token)) return true;
        return false;
    }
}
