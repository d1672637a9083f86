using System.CommandLine;
using System.Text.Json.Nodes;
using Volt.Cli;
using Volt.Compose.Execution;
using Volt.Compose.Loading;
using Volt.Compose.Model;
using Volt.Compose.Planning;
using Volt.Core.Errors;

namespace Volt.Commands.Compose;

/// <summary><c>volt compose …</c>: stacks from a Constellation or compose-spec files, on the one orchestrator.</summary>
internal static class ComposeCommands
{
    // Not recursive: -f before the subcommand is the file (as in compose), so `logs -f` can mean --follow.
    public static readonly Option<string[]> Files = new Option<string[]>("--file", "-f") { Description = "Stack file, given before the subcommand (repeatable; later files override earlier ones by compose-spec rules)", HelpName = "FILE" }.AcceptPath();
    public static readonly Option<string?> Project = new("--project-name", "-p") { Description = "Stack name (default: the file's name:, else the directory's name)", HelpName = "NAME", Recursive = true };
    public static readonly Option<string[]> Profiles = new("--profile") { Description = "Enable services of this profile (repeatable; * = all)", HelpName = "PROFILE", Recursive = true };
    public static readonly Option<string[]> EnvFiles = new Option<string[]>("--env-file") { Description = "Interpolation variables from this file instead of the project's .env", HelpName = "FILE", Recursive = true }.AcceptPath();
    public static readonly Option<string?> ProjectDir = new Option<string?>("--project-directory") { Description = "Directory relative paths start from (default: the first file's)", HelpName = "DIR", Recursive = true }.AcceptPath();
    public static readonly Argument<string[]> Services = new("SERVICE") { Description = "Only these services (default: all)", Arity = ArgumentArity.ZeroOrMore };

    public static Command Group()
    {
        var g = new GroupCommand("compose", "Stacks: a Constellation (volt-compose.yaml) or compose-spec files, brought up in dependency order",
            new ComposeUpCommand(), new ComposeDownCommand(), new ComposePsCommand(), new ComposeLogsCommand(),
            new ComposeLifecycleCommand("start"), new ComposeLifecycleCommand("stop"), new ComposeLifecycleCommand("restart"),
            new ComposePullCommand(), new ComposeExecCommand(), new ComposeRunCommand(), new ComposeConfigCommand(), new ComposeLsCommand(), new ComposeTopCommand())
        {
            Examples = ["volt compose up -d", "volt compose -f compose.yaml -f volt.override.yaml up -d", "volt compose ps", "volt compose logs -f web", "volt compose down -v", "volt compose config -o json"],
        };
        g.Add(Files); g.Add(Project); g.Add(Profiles); g.Add(EnvFiles); g.Add(ProjectDir);
        return g;
    }

    public static LoadOptions Options(VoltContext ctx, ParseResult parse) => new()
    {
        Files = parse.GetValue(Files) ?? [], WorkingDir = Environment.CurrentDirectory, ProjectName = parse.GetValue(Project),
        Profiles = parse.GetValue(Profiles) ?? [], EnvFiles = parse.GetValue(EnvFiles) ?? [], ProjectDir = parse.GetValue(ProjectDir),
        Environment = n => ctx.Env[n],
    };

    public static StackModel Load(VoltContext ctx, ParseResult parse) => StackLoader.Load(Options(ctx, parse));

    /// <summary>
    /// The stack a command acts on: the model when a file is found, else (only <c>-p</c> given, files gone) the name
    /// alone, which is enough for down/ps/logs on what the stack's record holds.
    /// </summary>
    public static (string Name, StackModel? Model) Target(VoltContext ctx, ParseResult parse)
    {
        try { var m = Load(ctx, parse); return (m.Name, m); }
        catch (VoltException e) when (e.Code == ExitCode.NotFound && parse.GetValue(Project) is { } p && (parse.GetValue(Files) ?? []).Length == 0)
        {
            return (StackNames.ValidateStack(p, "-p"), null);
        }
    }

    public static ResolvedStack Resolve(VoltContext ctx, StackModel m) => Resolver.Resolve(m, ctx.Engines.ComposeContext(m.Name));

    /// <summary>The recorded instances of a stack, optionally only those of <paramref name="services"/>.</summary>
    public static List<InstanceSpec> Instances(VoltContext ctx, string stack, IReadOnlyCollection<string> services) =>
        Instances(ctx, stack, services, out _);

    public static List<InstanceSpec> Instances(VoltContext ctx, string stack, IReadOnlyCollection<string> services, out StackState state)
    {
        state = ctx.Engines.ComposeState.TryLoad(stack) ?? throw VoltException.NotFound($"stack \"{stack}\" is not up (no record in {ctx.Engines.ComposeState.Dir(stack)})");
        var st = state;
        foreach (var s in services)
            if (!st.Instances.Values.Any(i => i.Service == s)) throw VoltException.NotFound($"service \"{s}\" has no instance in stack \"{stack}\"");
        return [.. state.Instances.Values.Where(i => services.Count == 0 || services.Contains(i.Service)).OrderBy(i => i.Service, StringComparer.Ordinal).ThenBy(i => i.Index)];
    }

    /// <summary>Progress lines: <c>SERVICE  INSTANCE  phase</c>, one per step, from any thread.</summary>
    public sealed class ProgressLines(VoltContext ctx) : IProgress<StackProgress>
    {
        private readonly Lock _lock = new();
        public List<StackProgress> Seen { get; } = [];

        public void Report(StackProgress p)
        {
            lock (_lock)
            {
                Seen.Add(p);
                var what = p.Service.Length > 0 ? $"{p.Service} ({p.Instance})" : p.Instance;
                ctx.Out.Line($"{ctx.Out.Palette.Good("✔")} {what}: {p.Phase}{(p.Detail is { } d ? $" ({d})" : "")}");
            }
        }
    }

    /// <summary>One instance's row; its networks by the names the compose file gives them (<paramref name="state"/>'s keys).</summary>
    public static JsonObject Row(VoltContext ctx, StackState state, InstanceSpec i)
    {
        var stack = state.Name;
        var st = new Composition.Adapters.StackRuntime(ctx.Engines, stack).Status(i.Name);
        return new JsonObject
        {
            ["name"] = i.Name, ["service"] = i.Service, ["image"] = i.Kind == InstanceKinds.Container ? i.Image : $"({i.Kind})",
            ["status"] = (i.Kind == InstanceKinds.Task && st.State == InstanceState.Running ? "scheduled" : st.State.ToString().ToLowerInvariant()) + (st.Health is InstanceHealth.None ? "" : $" ({st.Health.ToString().ToLowerInvariant()})"),
            ["ports"] = string.Join(", ", i.Publish),
            ["networks"] = string.Join(", ", i.Networks.Select(n => state.NetworkKeys.GetValueOrDefault(n.Network, n.Network))),
        };
    }
}
