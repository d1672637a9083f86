using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Completions;
using Volt.Commands;
using Volt.Rendering;

namespace Volt.Cli;

/// <summary>The command tree and one invocation of it. Program.cs and the in-memory CLI tests both use this.</summary>
internal sealed class VoltApp
{
    public VoltApp(IVoltConsole console, VoltEnvironment env, TimeProvider time)
    {
        Console = console; Env = env; Time = time;
    }

    public IVoltConsole Console { get; }
    public VoltEnvironment Env { get; }
    public TimeProvider Time { get; }
    /// <summary>The whole tree (help, completion, the tests that walk every command); built on first use.</summary>
    public RootCommand Root => _root ??= BuildRoot(CommandCatalog.All());
    private RootCommand? _root;

    public static int RunProcess(string[] args)
    {
        ExecutableNameCache.Preset();
        CommandLineStrings.Install();
        return new VoltApp(new SystemConsole(), VoltEnvironment.Process, TimeProvider.System).Run(args);
    }

    public int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    public async Task<int> RunAsync(string[] args, CancellationToken ct = default)
    {
        CommandRunner.CurrentApp.Value = this;
        var root = RootFor(args);
        var parse = root.Parse(args);
        // Everything from a trailing command on is that command's: parse again with "--" where it starts.
        if (parse.CommandResult.Command is ITrailingCommand { PositionalsBeforeCommand: >= 0 } t && TrailingCommand.Split(args, parse.CommandResult.Command, t.PositionalsBeforeCommand) is { } split)
            parse = root.Parse(split);
        var config = new InvocationConfiguration { Output = Console.Out, Error = Console.Error, EnableDefaultExceptionHandler = false };
        if (parse.CommandResult.Command is ISignalForwarding or IServerCommand) config.ProcessTerminationTimeout = null;
        if (parse.Errors.Count > 0 && parse.Action is not (HelpAction or HelpWithExamplesAction))
        {
            var (_, palette) = VoltContext.Early(parse, Console, Env);
            foreach (var error in parse.Errors) Console.Error.WriteLine(palette.Error("Error: ") + OneLine(error.Message));
            var path = string.Join(' ', CommandPath(parse.CommandResult.Command));
            Console.Error.WriteLine($"Run '{path} --help' for usage.");
            return (int)Core.Errors.ExitCode.Usage;
        }
        if (parse.CommandResult.Command is not IServerCommand) return await parse.InvokeAsync(config, ct).ConfigureAwait(false);
        using var signals = ServerSignalScope.Install(ct);
        return await parse.InvokeAsync(config, signals.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// The tree one invocation parses against: only the subtree of the top-level command the arguments name (building
    /// all ~300 commands, their options and their classes' statics was a share of every command's start-up), or the
    /// whole <see cref="Root"/> when the arguments name none (help, an unknown word, a directive, a response file), so
    /// help, suggestions and completion see every command. The first word that is not a global option (or its value)
    /// is the command's name, as System.CommandLine itself reads it.
    /// </summary>
    internal RootCommand RootFor(IReadOnlyList<string> args)
    {
        if (_root is not null) return _root;
        if (args is ["--version"]) return BuildRoot([]);
        if (TopLevel(args) is not var (name, at) || CommandCatalog.Find(name) is not { } entry) return Root;
        // The word after the command, when it is one (not an option): a group that can builds that subcommand alone.
        var sub = at + 1 < args.Count && args[at + 1] is { Length: > 0 } w && w[0] is not ('-' or '[' or '@') ? w : null;
        return BuildRoot([sub is not null && entry.BuildFor is { } buildFor ? buildFor(sub) : entry.Build()]);
    }

    /// <summary>The top-level command word of <paramref name="args"/>, or null when something before it needs the whole tree.</summary>
    internal static string? TopLevelName(IReadOnlyList<string> args) => TopLevel(args)?.Name;

    private static (string Name, int At)? TopLevel(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a.Length == 0 || a == "--" || a[0] is '[' or '@') return null;
            if (a[0] != '-') return (a, i);
            // A global option's separate value ("-o json", "--root DIR") is not the command.
            if (GlobalOptions.TakesValue(a)) i++;
        }
        return null;
    }

    private static RootCommand BuildRoot(IEnumerable<Command> commands)
    {
        var root = new RootCommand("Volt: containers, VMs, a content-addressed store, a registry and GitOps in one binary.");
        foreach (var o in GlobalOptions.All) root.Options.Add(o);
        foreach (var c in commands) root.Subcommands.Add(c);
        root.Directives.Add(new SuggestDirective());
        CliValues.ReadStringListsDirectly(root);
        foreach (var o in root.Options)
            if (o is HelpOption { Action: HelpAction help } helpOption) helpOption.Action = new HelpWithExamplesAction(help);
        return root;
    }

    /// <summary>The stock help, then an "Examples:" section from the command.</summary>
    private sealed class HelpWithExamplesAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parse)
        {
            var code = inner.Invoke(parse);
            var examples = parse.CommandResult.Command switch
            {
                VoltCommand v => v.Examples,
                GroupCommand g => g.Examples,
                RootCommand => RootExamples,
                _ => [],
            };
            if (examples.Length == 0) return code;
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var e in examples) output.WriteLine("  " + e);
            output.WriteLine();
            return code;
        }
    }

    private static readonly string[] RootExamples =
    [
        "volt image pull 127.0.0.1:5000/busybox:1.36              # images are stored file by file in Stellarium",
        "volt run --rm 127.0.0.1:5000/busybox:1.36 echo hello     # a container on systemd-nspawn; its exit code is volt's",
        "volt run -d --name web --publish 8080:80 --memory 256M 127.0.0.1:5000/busybox:1.36 httpd -f",
        "volt ps                                                  # every workload, by name",
        "volt registry serve --port 5000                          # an OCI registry on the same store",
        "volt cas build ./rootfs --ref images/myapp               # store any directory tree",
        "volt audit verify                                        # check the audit trail's hash chain",
        "VOLT_ROOT=/tmp/v volt cas status                         # everything relocatable for tests and users",
    ];

    /// <summary>
    /// System.CommandLine's own messages on one line: its choice list ("Must be one of:\n\t'a'\n\t'b'") becomes
    /// "must be one of 'a', 'b'", and control characters from the value are escaped.
    /// </summary>
    internal static string OneLine(string message)
    {
        var marker = message.IndexOf("Must be one of:", StringComparison.Ordinal);
        if (marker >= 0)
        {
            var choices = message[(marker + "Must be one of:".Length)..].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            message = message[..marker] + "Must be one of " + string.Join(", ", choices) + ".";
        }
        return CliValues.Escape(message);
    }

    private static IEnumerable<string> CommandPath(Command c)
    {
        var names = new List<string>();
        for (Symbol? s = c; s is Command cmd; s = cmd.Parents.FirstOrDefault())
            names.Insert(0, cmd is RootCommand ? "volt" : cmd.Name);
        return names;
    }
}
