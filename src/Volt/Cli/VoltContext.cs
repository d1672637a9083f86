using System.CommandLine;
using Volt.Composition;
using Volt.Core.Audit;
using Volt.Core.Config;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Rendering;

namespace Volt.Cli;

/// <summary>Everything a command needs for one invocation, resolved once from flags, env and config.</summary>
internal sealed class VoltContext
{
    private VoltContext(IVoltConsole console, VoltEnvironment env, TimeProvider time, VoltPaths paths, VoltConfig config,
        Renderer renderer, bool debug)
    {
        Console = console; Env = env; Time = time; Paths = paths; Config = config; Out = renderer; Debug = debug;
    }

    public IVoltConsole Console { get; }
    public VoltEnvironment Env { get; }
    public TimeProvider Time { get; }
    public VoltPaths Paths { get; }
    public VoltConfig Config { get; }
    public Renderer Out { get; }
    public bool Debug { get; }
    public IProcessRunner Processes { get; } = new ProcessRunner();

    /// <summary>The engines, built on first use by the composition root (VOLT_HOST/VOLT_CONFIG for voltd).</summary>
    public Engines Engines => _engines ??= new Engines(Paths, Config, Time, Processes, voltHost: Env["VOLT_HOST"], configFile: Env["VOLT_CONFIG"]);
    private Engines? _engines;

    /// <summary>What the audit line names as the resource; commands set it (default: first argument).</summary>
    public string? AuditResource { get; set; }

    /// <summary>
    /// Commands acting on several names (<c>container stop a b</c>) add each one done here: every name gets its own
    /// audit line (and a failure one more, for <see cref="AuditResource"/>).
    /// </summary>
    public List<string> AuditActed { get; } = [];

    /// <summary>Extra words for the audit line per acted-on resource (a start's sandbox summary).</summary>
    public Dictionary<string, string> AuditDetail { get; } = new(StringComparer.Ordinal);

    public AuditLog Audit => new(Paths.AuditLog, Time);

    /// <summary>Whether progress bars may be drawn (stderr is a terminal and output is for humans).</summary>
    public bool ShowProgress => Console.IsErrorTerminal && Out.Format == OutputFormat.Table;

    public int Parallelism => Engines.Parallelism;

    /// <summary>Debug flag and palette only: usable even when config loading fails.</summary>
    public static (bool Debug, Palette Palette) Early(ParseResult parse, IVoltConsole console, VoltEnvironment env) =>
        (parse.GetValue(GlobalOptions.Debug) || env.Flag("VOLT_DEBUG"),
         Palette.Decide(env["VOLT_COLOR"], env["NO_COLOR"], console.IsErrorTerminal));

    public static VoltContext Create(ParseResult parse, IVoltConsole console, VoltEnvironment env, TimeProvider time)
    {
        var (debug, _) = Early(parse, console, env);
        var root = parse.GetValue(GlobalOptions.Root) ?? env["VOLT_ROOT"];
        var paths = new VoltPaths(root);
        var explicitConfig = parse.GetValue(GlobalOptions.Config) ?? env["VOLT_CONFIG"];
        var config = ConfigSections.Load(explicitConfig ?? paths.DefaultConfigFile, mustExist: explicitConfig is not null);

        var formatText = parse.GetValue(GlobalOptions.Output) ?? env["VOLT_OUTPUT"] ?? config.Output;
        if (!OutputFormats.TryParse(formatText, out var format))
            throw VoltException.Usage($"invalid output format \"{formatText}\" (from VOLT_OUTPUT): expected table, json or yaml");
        var palette = Palette.Decide(env["VOLT_COLOR"] ?? config.Color, env["NO_COLOR"], console.IsOutputTerminal);
        return new VoltContext(console, env, time, paths, config, new Renderer(console, format, palette), debug);
    }
}
