using System.CommandLine;
using System.Runtime.InteropServices;
using Volt.Cli;
using Volt.Commands.Container;
using Volt.Core.Errors;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;
using Volt.Workloads.Runtime;
using Volt.Workloads.Supervision;

namespace Volt.Commands.Views;

internal sealed class RunCommand : VoltCommand, ITrailingCommand, ISignalForwarding
{
    private static readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep stdin open" };
    private static readonly Option<bool> Tty = new("--tty", "-t") { Description = "Give the container a real terminal (when stdin is one)" };
    private static readonly Option<bool> Remove = new("--rm") { Description = "Delete the container when it exits (and on any failure)" };
    private static readonly Option<bool> Detach = new("--detach", "-d") { Description = "Start in the background (supervised by voltd/systemd) and print the name" };

    /// <summary>What a foreground run passes on to the container's payload (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2).</summary>
    private static readonly (PosixSignal Signal, int Number)[] Forwarded =
    [
        (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3),
        // Raw numbers (Linux): PosixSignalRegistration takes them cast to PosixSignal.
        ((PosixSignal)10, 10), ((PosixSignal)12, 12),
    ];

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
            "volt run --rm -e A=1 ./busybox-rootfs env -e B=2    # -e B=2 is env's argument, not volt's",
            "volt run --rm --user 1234:33 ./busybox-rootfs id     # numeric uid:gid, no passwd entry needed",
            "volt run --rm --landlock ./policy.json --seccomp strict --cap-add NET_BIND_SERVICE ./busybox-rootfs httpd -f -p 80",
        ];
    }

    public int PositionalsBeforeCommand => 1;

    public override string AuditAction => "container.run";

    /// <summary><c>run -d</c> goes through voltd: group volt members may; a foreground run needs root (below).</summary>
    public override bool ThroughVoltd => true;

    public override async Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(ContainerOptions.Name) ?? ContainerName.Generate();
        ctx.AuditResource = name;
        var remove = parse.GetValue(Remove);
        var request = ContainerOptions.Bind(parse, name, remove, ctx.Paths.Etc);
        var host = ctx.Engines.ContainerHost;
        var engine = ctx.Engines.Containers;
        var detach = parse.GetValue(Detach);
        if (!detach && !Core.IO.Posix.IsRoot)
            throw new VoltException(ExitCode.Permission,
                "permission denied: a foreground run starts systemd-nspawn here and needs root; members of group volt run containers through voltd: volt run -d …");
        // The wrapper's cgroup.procs join is the first migration in a while: it would wait a whole RCU grace period.
        // Taken now, beside planning and the records, the wait is over (or nearly) when the wrapper joins.
        if (!detach) _ = Task.Run(() => host.Cgroups.WarmMigrations(), CancellationToken.None);
        if (detach)
        {
            // voltd has its own working directory: a rootfs directory goes there as an absolute path.
            ISupervisor supervisor;
            if (await ctx.Engines.ListeningVoltdAsync(ct).ConfigureAwait(false) is { } up)
            {
                // voltd is up: it plans (usage errors, an unknown image) itself; planning here too was a second image lookup.
                if (LooksLikePath(request.Image) || Directory.Exists(request.Image)) request = request with { Image = Path.GetFullPath(request.Image) };
                supervisor = up;
            }
            else
            {
                // Usage errors and an unknown image are reported before voltd (or systemd) is involved or started.
                var planned = engine.Plan(request);
                if (planned.RootfsKind == "dir") request = request with { Image = planned.RootfsSource! };
                supervisor = await ctx.Engines.SupervisorAsync(ct).ConfigureAwait(false);
            }
            // voltd's own audit line carries the sandbox summary of the start it made (no second line, no second plan here).
            if (supervisor is Daemon.DaemonClient voltd) await DetachedThroughVoltdAsync(ctx, engine, voltd, request, ct).ConfigureAwait(false);
            else
            {
                if (Sandbox.SandboxViews.Summary(request.Sandbox, Volt.Sandbox.Planning.SandboxKind.Container, ctx.Paths.Etc) is { } sandbox) ctx.AuditDetail[name] = sandbox;
                engine.Create(request);
                try { await supervisor.StartAsync(name, ct).ConfigureAwait(false); }
                catch when (remove)
                {
                    await RemoveAsync(engine, null, name).ConfigureAwait(false);
                    throw;
                }
            }
            ctx.Out.Line(name);
            return 0;
        }
        // Planned here (usage errors, unknown image: nothing written), created and started by the runtime in one step.
        var config = engine.Plan(request);
        if (engine.Records.Exists(name)) throw VoltException.Exists($"container \"{name}\" already exists");
        var console = parse.GetValue(Tty) && !Console.IsInputRedirected ? ConsoleMode.Interactive : ConsoleMode.Pipe;
        await using var runtime = new ContainerRuntime(host, label: "cli");
        // Signals are the payload's (as with podman): forwarded, and volt returns what the payload makes of them.
        var last = 0;
        var registrations = console == ConsoleMode.Interactive ? [] : Forwarded.Select(f => PosixSignalRegistration.Create(f.Signal, c =>
        {
            c.Cancel = true;
            Volatile.Write(ref last, f.Number);
            runtime.SignalPayload(name, f.Number);
        })).ToList();
        try
        {
            int code;
            try { code = await runtime.RunAttachedAsync(config, console, host.DefaultStopTimeout, CancellationToken.None).ConfigureAwait(false); }
            catch (VoltException e) when (e.Code == ExitCode.AlreadyExists)
            {
                remove = false; // created meanwhile by someone else: theirs, not ours to delete
                throw;
            }
            // nspawn's stub init reports a payload killed by a signal as 255; podman (and shells) say 128 + the signal.
            return code == 255 && Volatile.Read(ref last) is var s and > 0 ? 128 + s : code;
        }
        finally
        {
            // The sandbox as this start planned it (planned once, by the runtime), for the audit line.
            if (runtime.TakeSandboxSummary(name) is { } sandbox) ctx.AuditDetail[name] = sandbox;
            foreach (var r in registrations) r.Dispose();
            if (remove) await RemoveAsync(engine, runtime, name).ConfigureAwait(false);
        }
    }

    private static bool LooksLikePath(string image) =>
        image.StartsWith('/') || image.StartsWith("./", StringComparison.Ordinal) || image.StartsWith("../", StringComparison.Ordinal);

    /// <summary><c>--rm</c>: the container goes on every path, a failed start included (stopped first if need be).</summary>
    private static async Task RemoveAsync(ContainerEngine engine, ContainerRuntime? runtime, string name)
    {
        if (!engine.Records.Exists(name)) return;
        try { await engine.DeleteAsync(name, CancellationToken.None).ConfigureAwait(false); }
        catch (VoltException e) when (e.Code == ExitCode.NotFound) { } // the orphan collector was first (a --rm that ran)
        catch (VoltException e) when (e.Code == ExitCode.Conflict && runtime is not null)
        {
            await runtime.StopAsync(name, TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            await engine.DeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>run -d</c> through voltd. When voltd goes away mid-request (killed, crashed) the answer is lost, not the work:
    /// the container's record says what is true, and what is missing is asked of the voltd started next.
    /// </summary>
    private static async Task DetachedThroughVoltdAsync(VoltContext ctx, ContainerEngine engine, Daemon.DaemonClient voltd, CreateRequest request,
        CancellationToken ct)
    {
        try
        {
            await voltd.CreateAndStartAsync(request, ct).ConfigureAwait(false);
            return;
        }
        catch (VoltException e) when (e.Code == ExitCode.Daemon && !ct.IsCancellationRequested) { }
        // A new voltd (started on demand) has re-adopted what runs and collected what a killed one left half-made.
        var again = await ctx.Engines.SupervisorAsync(ct).ConfigureAwait(false);
        var name = request.Name;
        if (!engine.Records.Exists(name))
        {
            if (again is Daemon.DaemonClient d) await d.CreateAndStartAsync(request, ct).ConfigureAwait(false);
            else { engine.Create(request); await again.StartAsync(name, ct).ConfigureAwait(false); }
            return;
        }
        var view = engine.View(name);
        if (view.Status == ContainerStatus.Running) return;
        if (view.Config is null || view.State.Status == ContainerStatus.Creating)
        {
            await engine.DeleteAsync(name, ct).ConfigureAwait(false);
            if (again is Daemon.DaemonClient d) await d.CreateAndStartAsync(request, ct).ConfigureAwait(false);
            else { engine.Create(request); await again.StartAsync(name, ct).ConfigureAwait(false); }
            return;
        }
        await again.StartAsync(name, ct).ConfigureAwait(false);
    }
}
