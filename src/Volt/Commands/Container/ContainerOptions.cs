using System.CommandLine;
using Volt.Workloads.Containers;

namespace Volt.Commands.Container;

/// <summary>The options <c>container create</c> and <c>run</c> share, bound into a <see cref="CreateRequest"/>.</summary>
internal static class ContainerOptions
{
    public static readonly Option<string?> Name = new("--name") { Description = "Container name (default: generated)", HelpName = "NAME" };
    public static readonly Option<string[]> Env = new("--env", "-e") { Description = "Environment variable (repeatable)", HelpName = "KEY=VALUE" };
    public static readonly Option<string[]> Volume = new("--volume", "-v") { Description = "Bind mount (repeatable)", HelpName = "HOST:CTR[:ro]" };
    public static readonly Option<string[]> Publish = new("--publish", "-p") { Description = "Publish a port through the network (repeatable)", HelpName = "HOST:CTR[/udp]" };
    public static readonly Option<string?> Network = new("--network") { Description = "Network to join (default: none, loopback only)", HelpName = "NAME" };
    public static readonly Option<string?> Memory = new("--memory", "-m") { Description = "Memory limit (512M, 1G)", HelpName = "SIZE" };
    public static readonly Option<string?> Cpu = new("--cpu") { Description = "CPU limit in percent of one CPU (200 = 2 CPUs)", HelpName = "PERCENT" };
    public static readonly Option<string?> Pids = new("--pids") { Description = "Maximum number of processes", HelpName = "N" };
    public static readonly Option<string> Restart = new("--restart") { Description = "Restart policy: no, on-failure, always", DefaultValueFactory = _ => "no", HelpName = "POLICY" };
    public static readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container", HelpName = "DIR" };
    public static readonly Option<string?> User = new("--user", "-u") { Description = "User to run as inside the container", HelpName = "USER" };
    public static readonly Option<bool> Init = new("--init") { Description = "The command is an init: run it as PID 1 (default: under nspawn's stub init)" };

    public static readonly Argument<string> Image = new("IMAGE") { Description = "Image reference or rootfs directory" };
    public static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments (default: the image's)", Arity = ArgumentArity.ZeroOrMore };

    public static void AddTo(System.CommandLine.Command c)
    {
        foreach (var o in new Option[] { Name, Env, Volume, Publish, Network, Memory, Cpu, Pids, Restart, Workdir, User, Init }) c.Add(o);
        c.Add(Image);
        c.Add(Command);
        c.TreatUnmatchedTokensAsErrors = false;
    }

    public static CreateRequest Bind(ParseResult parse, string name, bool autoRemove = false) => new()
    {
        Name = name,
        Image = parse.GetValue(Image)!,
        Command = CommandAfterImage(parse),
        Env = parse.GetValue(Env) ?? [],
        Volumes = parse.GetValue(Volume) ?? [],
        Publish = parse.GetValue(Publish) ?? [],
        Network = parse.GetValue(Network),
        Memory = parse.GetValue(Memory),
        Cpu = parse.GetValue(Cpu),
        Pids = parse.GetValue(Pids),
        Restart = parse.GetValue(Restart) ?? "no",
        Workdir = parse.GetValue(Workdir),
        User = parse.GetValue(User),
        Init = parse.GetValue(Init),
        AutoRemove = autoRemove,
    };

    /// <summary>
    /// Everything after IMAGE, verbatim: <c>volt run IMG sh -c 'exit 7'</c> keeps <c>-c</c> as the command's, not as an
    /// unknown volt option (the parser would otherwise reorder or reject it).
    /// </summary>
    private static string[] CommandAfterImage(ParseResult parse)
    {
        var image = parse.GetValue(Image);
        var tokens = parse.Tokens.Select(t => t.Value).ToList();
        var raw = parse.Tokens.ToList();
        for (var i = 0; i < raw.Count; i++)
            if (raw[i].Type == System.CommandLine.Parsing.TokenType.Argument && raw[i].Value == image)
                return [.. tokens.Skip(i + 1).SkipWhile((t, j) => j == 0 && t == "--")];
        return parse.GetValue(Command) ?? [];
    }
}
