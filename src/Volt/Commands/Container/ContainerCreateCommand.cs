using System.CommandLine;
using Volt.Cli;
using Volt.Workloads.Containers;

namespace Volt.Commands.Container;

internal sealed class ContainerCreateCommand : VoltCommand, ITrailingCommand
{
    public ContainerCreateCommand() : base("create", "Create a container (stopped) from an image or a rootfs directory")
    {
        ContainerOptions.AddTo(this);
        Examples =
        [
            "volt container create ./busybox-rootfs --name web -- /bin/httpd -f -p 8080",
            "volt container create debian:12 --name db --memory 1G --cpu 200 --pids 200 --restart on-failure",
            "volt container create ./rootfs --name app -e MODE=prod -v /srv/data:/data -v /etc/hosts:/etc/hosts:ro",
            "volt container create ./rootfs --name raw --sandbox unconfined      # no Landlock, no seccomp, nspawn's capabilities",
            "volt container create ./rootfs --name api --health-cmd 'wget -qO- http://127.0.0.1/healthz' --health-interval 10s --health-retries 3 -- /bin/httpd -f",
        ];
    }

    public int PositionalsBeforeCommand => 1;

    public override string AuditAction => "container.create";

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerOptions.Name) ?? ContainerName.Generate();
        ctx.AuditResource = name;
        var config = ctx.Engines.Containers.Create(ContainerOptions.Bind(parse, name, etc: ctx.Paths.Etc));
        ctx.Out.Line(config.Name);
        if (ctx.Out.Format != Rendering.OutputFormat.Table) ctx.Out.Data(ContainerViews.Inspect(ctx.Engines.Containers.View(name)));
        return Task.FromResult(0);
    }
}
