using System.CommandLine;
using System.CommandLine.Parsing;
using Volt.Cli;
using Volt.Workloads.Containers;

namespace Volt.Commands.Container;

/// <summary>The options <c>container create</c> and <c>run</c> share, bound into a <see cref="CreateRequest"/>.</summary>
internal static class ContainerOptions
{
    public static readonly Option<string?> Name = new("--name") { Description = "Container name (default: generated)", HelpName = "NAME" };
    public static readonly Option<string[]> Env = new("--env", "-e") { Description = "Environment variable (repeatable)", HelpName = "KEY=VALUE" };
    public static readonly Option<string[]> Volume = new("--volume", "-v") { Description = "Bind mount (repeatable)", HelpName = "HOST:CTR[:ro]" };
    public static readonly Option<string[]> Publish = new("--publish", "-p") { Description = "Publish a port through the network (repeatable)", HelpName = "HOST:CTR[/udp]" };
    public static readonly Option<string[]> Network = new("--network") { Description = "Network to join; repeat for several (eth0, eth1…); 'none' = loopback only (default: none)", HelpName = "NAME" };
    public static readonly Option<string?> Memory = new("--memory", "-m") { Description = "Memory limit (512M, 1G)", HelpName = "SIZE" };
    public static readonly Option<string?> Cpu = new("--cpu") { Description = "CPU limit in percent of one CPU (200 = 2 CPUs)", HelpName = "PERCENT" };
    public static readonly Option<string?> Pids = new("--pids") { Description = "Maximum number of processes", HelpName = "N" };
    public static readonly Option<string> Restart = new("--restart") { Description = "Restart policy: no, on-failure, always", DefaultValueFactory = _ => "no", HelpName = "POLICY" };
    public static readonly Option<string?> Workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the container", HelpName = "DIR" }.AcceptPath();
    public static readonly Option<string?> User = new("--user", "-u") { Description = "User to run as inside the container", HelpName = "USER" };
    public static readonly Option<string?> Userns = new("--userns") { Description = "User namespace: host (default) or private (own UID range; image files are copied on first start)", HelpName = "MODE" };
    public static readonly Option<bool> Init = new("--init") { Description = "The command is an init: run it as PID 1 (default: under nspawn's stub init)" };

    public static readonly Option<string?> HealthCmd = new("--health-cmd") { Description = "Health check run inside the container by /bin/sh -c (exit 0 = healthy)", HelpName = "CMD" };
    public static readonly Option<string?> HealthInterval = new("--health-interval") { Description = "Time between health checks (default 30s)", HelpName = "DURATION" };
    public static readonly Option<string?> HealthTimeout = new("--health-timeout") { Description = "A check running longer is killed and fails (default 30s)", HelpName = "DURATION" };
    public static readonly Option<string?> HealthRetries = new("--health-retries") { Description = "Consecutive failures that make it unhealthy (default 3)", HelpName = "N" };
    public static readonly Option<string?> HealthStartPeriod = new("--health-start-period") { Description = "Failures in this time after start do not count (default 0s)", HelpName = "DURATION" };
    public static readonly Option<bool> NoHealthcheck = new("--no-healthcheck") { Description = "Do not run the image's health check" };

    public static readonly Argument<string> Image = new("IMAGE") { Description = "Image reference or rootfs directory" };
    public static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments (default: the image's)", Arity = ArgumentArity.ZeroOrMore };

    public static void AddTo(System.CommandLine.Command c)
    {
        foreach (var o in new Option[] { Name, Env, Volume, Publish, Network, Memory, Cpu, Pids, Restart, Workdir, User, Init, Userns,
            HealthCmd, HealthInterval, HealthTimeout, HealthRetries, HealthStartPeriod, NoHealthcheck }) c.Add(o);
        Sandbox.SandboxOptions.AddTo(c);
        c.Add(Image);
        c.Add(Command);
        c.TreatUnmatchedTokensAsErrors = false;
    }

    public static CreateRequest Bind(ParseResult parse, string name, bool autoRemove = false, string? etc = null)
    {
        // Options written after IMAGE belong to the command (`volt run img httpd -p 80`), not to volt.
        T? Get<T>(Option<T> o) => BeforeImage(parse, o) ? parse.GetValue(o) : default;
        return new()
        {
            Name = name,
            Image = parse.GetValue(Image)!,
            Command = CommandAfterImage(parse),
            Env = Get(Env) ?? [],
            Volumes = Get(Volume) ?? [],
            Publish = Get(Publish) ?? [],
            Network = Get(Network) is { Length: > 0 } nets ? nets[0] : null,
            ExtraNetworks = Get(Network) is { Length: > 1 } more ? more[1..] : [],
            Memory = Get(Memory),
            Cpu = Get(Cpu),
            Pids = Get(Pids),
            Restart = Get(Restart) ?? "no",
            Workdir = Get(Workdir),
            User = Get(User),
            Init = Get(Init),
            Userns = Get(Userns),
            AutoRemove = autoRemove,
            HealthCmd = Get(HealthCmd), HealthInterval = Get(HealthInterval), HealthTimeout = Get(HealthTimeout),
            HealthRetries = Get(HealthRetries), HealthStartPeriod = Get(HealthStartPeriod), NoHealthcheck = Get(NoHealthcheck),
            Sandbox = etc is null ? null : Sandbox.SandboxOptions.Bind(o => BeforeImage(parse, o) ? o switch
            {
                Option<string?> s => parse.GetValue(s),
                Option<string[]> a => parse.GetValue(a),
                _ => null,
            } : null, etc, ImagePath(parse) is { } dir ? p => Volt.Sandbox.Planning.SandboxTarget.ProvidedByNspawn(p) || File.Exists(dir + p) || Directory.Exists(dir + p) : null),
        };
    }

    /// <summary>IMAGE when it is a rootfs directory (a FILE policy's paths are checked in it at create).</summary>
    private static string? ImagePath(ParseResult parse) =>
        parse.GetValue(Image) is { } i && Directory.Exists(i) ? Path.GetFullPath(i).TrimEnd('/') : null;

    private static bool BeforeImage(ParseResult parse, Option o)
    {
        var r = parse.GetResult(o);
        if (r is null || r.Implicit || r.IdentifierToken is null) return r is not null;
        var option = parse.Tokens.ToList().IndexOf(r.IdentifierToken);
        return option < CommandStart(parse);
    }

    /// <summary>
    /// Index of the command's first token: the first plain argument after IMAGE that is not an option's value. Options
    /// between IMAGE and the command are volt's (<c>create IMG --name a</c>); everything from the command on is the
    /// command's, verbatim (<c>run IMG sh -c 'exit 7'</c>, <c>run IMG httpd -p 80</c>). <c>--</c> also starts it.
    /// </summary>
    private static int CommandStart(ParseResult parse)
    {
        var tokens = parse.Tokens;
        var image = parse.GetValue(Image);
        var i = 0;
        while (i < tokens.Count && !(tokens[i].Type == TokenType.Argument && tokens[i].Value == image && !IsOptionValue(parse, i))) i++;
        for (i++; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.DoubleDash) return i + 1;
            if (tokens[i].Type == TokenType.Argument && !IsOptionValue(parse, i)) return i;
        }
        return tokens.Count;
    }

    private static bool IsOptionValue(ParseResult parse, int i) =>
        i > 0 && parse.Tokens[i - 1].Type == TokenType.Option
        && parse.CommandResult.Command.Options.Concat(GlobalOptions.All)
            .FirstOrDefault(o => o.Name == parse.Tokens[i - 1].Value || o.Aliases.Contains(parse.Tokens[i - 1].Value)) is { } opt
        && opt.ValueType != typeof(bool);

    private static string[] CommandAfterImage(ParseResult parse) => [.. parse.Tokens.Skip(CommandStart(parse)).Select(t => t.Value)];

}
