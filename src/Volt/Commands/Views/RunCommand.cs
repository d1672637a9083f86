using System.CommandLine;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;
using Volt.Workloads.Runtime;

namespace Volt.Commands.Views;

internal sealed class RunCommand : VoltCommand
{
    private static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep stdin open" };
    private static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Give the container a real terminal (when stdin is one)" };
    private static readonly Option<bool> Remove = new("--rm") { Description = "Delete the container when it exits" };
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Start in the background (supervised by voltd/systemd) and print the name" };

    public RunCommand() : base("run", "Create and start a container; in the foreground the command's exit code is volt's")
    {
        Add(Interactive); Add(Tty); Add(Remove); Add(Detach);
        ContainerOptions.AddTo(this);
        Examples =
        [
            "volt run ./busybox-rootfs echo hi",
            "volt run -it --rm debian:12 /bin/bash",
            "volt run -d --name web --memory 256M ./busybox-rootfs /bin/httpd -f -p 8080",
            "volt run ./busybox-rootfs sh -c 'exit 7'; echo $?   # 7",
        ];
    }

    public override string AuditAction => "container.run";

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerOptions.Name) ?? ContainerName.Generate();
        ctx.AuditResource = name;
        var remove = parse.GetValue(Remove);
        var request = ContainerOptions.Bind(parse, name, remove);
        var engine = ctx.Containers();
        if (parse.GetValue(Detach))
        {
            // Usage errors and an unknown image are reported before voltd is involved (or started).
            var planned = engine.Plan(request);
            // voltd has its own working directory: a rootfs directory goes there as the absolute path resolved here.
            if (planned.RootfsKind == "dir") request = request with { Image = planned.RootfsSource! };
            var supervisor = await ctx.SupervisorAsync(ct).ConfigureAwait(false);
            if (supervisor is Daemon.DaemonClient voltd) await voltd.CreateAndStartAsync(request, ct).ConfigureAwait(false);
            else
            {
                engine.Create(request);
                await supervisor.StartAsync(name, ct).ConfigureAwait(false);
            }
            ctx.Out.Line(name);
            return 0;
        }
        engine.Create(request);
        var console = parse.GetValue(Tty) && !Console.IsInputRedirected ? ConsoleMode.Interactive : ConsoleMode.Pipe;
        var host = ctx.ContainerHost();
        int code;
        await using (var runtime = new ContainerRuntime(host, label: "cli"))
        {
            try { code = await runtime.RunAttachedAsync(name, console, host.DefaultStopTimeout, ct).ConfigureAwait(false); }
            finally { if (remove) await engine.DeleteAsync(name, CancellationToken.None).ConfigureAwait(false); }
        }
        return code;
    }
}
