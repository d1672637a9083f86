using System.CommandLine;
using Volt.Cli;
using Volt.Core.Errors;
using Volt.Units;
using Volt.Workloads.Containers;
using Volt.Workloads.Model;
using Volt.Workloads.Services;

namespace Volt.Commands.Service;

internal sealed class ServiceCreateCommand : VoltCommand, ITrailingCommand
{
    private static readonly Argument<string> NameArg = new("NAME") { Description = "Service name (the unit is NAME.service)" };
    private static readonly Argument<string[]> Command = new("COMMAND") { Description = "Command and arguments (found on PATH; must be executable)", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string?> User = new("--user", "-u") { Description = "Run as this user (USER or USER:GROUP, names or numbers)", HelpName = "USER[:GROUP]" };
    private static readonly Option<string[]> Env = new("--env", "-e") { Description = "Environment variable (repeatable)", HelpName = "KEY=VALUE" };
    private static readonly Option<string[]> EnvFile = new Option<string[]>("--env-file") { Description = "File of KEY=VALUE lines (repeatable; a leading - makes it optional)", HelpName = "FILE" }.AcceptPath();
    private static readonly Option<string?> Workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory (absolute)", HelpName = "DIR" }.AcceptPath();
    private static readonly Option<string?> Memory = new("--memory", "-m") { Description = "Memory limit (MemoryMax=): 256M, 1G", HelpName = "SIZE" };
    private static readonly Option<string?> Cpu = new("--cpu") { Description = "CPU limit in percent of one CPU (CPUQuota=): 50, 200", HelpName = "PERCENT" };
    private static readonly Option<string?> Tasks = new("--pids") { Description = "Maximum number of tasks (TasksMax=)", HelpName = "N" };
    private static readonly Option<string> Restart = new Option<string>("--restart") { Description = "Restart policy (Restart=)", DefaultValueFactory = _ => "no", HelpName = "no|on-failure|always" }.AcceptOneOf("no", "on-failure", "always");
    private static readonly Option<string[]> After = new("--after") { Description = "Start after this unit (After=; repeatable)", HelpName = "UNIT" };
    private static readonly Option<bool> Now = new("--now") { Description = "Start it too" };

    public ServiceCreateCommand() : base("create", "Write the service's unit (NAME.service); --now starts it too")
    {
        Add(NameArg); Add(Command);
        Sandbox.SandboxOptions.AddTo(this);
        Add(User); Add(Env); Add(EnvFile); Add(Workdir); Add(Memory); Add(Cpu); Add(Tasks); Add(Restart); Add(After); Add(Now);
        Examples =
        [
            "volt service create web --now -- python3 -m http.server 8080 --bind 127.0.0.1",
            "volt service create worker --user nobody --env MODE=prod --env-file /etc/worker.env --workdir /srv/worker -- /srv/worker/run",
            "volt service create files --landlock ./files-policy.json --sandbox strict -- /usr/local/bin/fileserver",
            "volt service create api --memory 256M --cpu 50 --restart on-failure --after network-online.target -- /usr/local/bin/api --port 9000",
        ];
    }

    public int PositionalsBeforeCommand => 1;

    public override string AuditAction => "service.create";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = ServiceName.Normalize(parse.GetValue(NameArg)!);
        ctx.AuditResource = name;
        var user = parse.GetValue(User);
        var spec = new ServiceSpec
        {
            Name = name,
            Command = parse.GetValue(Command) ?? [],
            User = user?.Split(':', 2)[0] is { Length: > 0 } u ? u : null,
            Group = user?.Split(':', 2) is [_, { Length: > 0 } g] ? g : null,
            Environment = [.. (parse.GetValue(Env) ?? []).Select(ResourceParser.Env).Select(e => new KeyValuePair<string, string>(e[..e.IndexOf('=')], e[(e.IndexOf('=') + 1)..]))],
            EnvironmentFiles = [.. (parse.GetValue(EnvFile) ?? []).Select(f => f.StartsWith('-') ? "-" + Path.GetFullPath(f[1..]) : Path.GetFullPath(f))],
            WorkingDirectory = parse.GetValue(Workdir),
            MemoryBytes = parse.GetValue(Memory) is { } m ? ResourceParser.Memory(m) : null,
            CpuPercent = parse.GetValue(Cpu) is { } c ? ResourceParser.Cpu(c) : null,
            Tasks = parse.GetValue(Tasks) is { } t ? ResourceParser.Pids(t) : null,
            Restart = parse.GetValue(Restart) switch { "always" => UnitRestart.Always, "on-failure" => UnitRestart.OnFailure, _ => UnitRestart.No },
            After = parse.GetValue(After) ?? [],
            Sandbox = Sandbox.SandboxOptions.Bind(parse, ctx.Paths.Etc, p => File.Exists(p) || Directory.Exists(p)),
        };
        var containers = new ContainerStore(ctx.Paths);
        ctx.Engines.Services.Create(spec, n => containers.Exists(n));
        ctx.Out.Line(name);
        if (parse.GetValue(Now))
        {
            var supervisor = await ctx.Engines.ServiceSupervisorAsync(ct, oneAtATime: true).ConfigureAwait(false);
            await supervisor.ReloadAsync(ct).ConfigureAwait(false);
            await supervisor.StartAsync(WorkloadKind.Service, name, ct).ConfigureAwait(false);
        }
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(ServiceViews.Status(ctx.Engines.ServiceDriver.Info(name), ctx.Engines.ServiceStore, ctx.Time.GetUtcNow()));
        return 0;
    }
}
