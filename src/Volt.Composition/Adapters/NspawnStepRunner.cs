using Volt.Core.Processes;
using Volt.Images.Build;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;

namespace Volt.Composition.Adapters;

/// <summary>
/// Runs a build's RUN step with the container engine's own systemd-nspawn command line
/// (<see cref="NspawnCommand.Build"/>: no machined registration, <c>--as-pid2</c>, <c>--pipe</c>, a private network
/// namespace unless the build allows the host's), plus what keeps the step's upper dir clean: no resolv.conf or
/// timezone written into the image (<c>--resolv-conf=off</c>, or the host's bind-mounted with host networking;
/// <c>--timezone=off</c>), and the image's own /tmp instead of nspawn's tmpfs. Cancellation sends SIGTERM, then kills what is left: no process outlives the step.
/// </summary>
public sealed class NspawnStepRunner(IProcessLauncher launcher) : IStepRunner
{
    public async Task<int> RunAsync(RunStepSpec spec, Action<string> output, CancellationToken ct)
    {
        var config = new ContainerConfig
        {
            Name = spec.Name, Image = "build", Command = spec.Command, Env = spec.Env, Workdir = spec.Workdir, User = spec.User,
        };
        var args = NspawnCommand.Build(config, spec.Rootfs).ToList();
        if (spec.HostNetwork) args.Remove("--private-network");
        var dashdash = args.IndexOf("--");
        args.InsertRange(dashdash, [spec.HostNetwork ? "--resolv-conf=bind-host" : "--resolv-conf=off", "--timezone=off", "--link-journal=no"]);
        // systemd 252's nspawn says this on every exit where PID 1 is not systemd: harmless (docs/containers.md), not the step's output.
        void Line(string l)
        {
            if (!l.StartsWith("Attempted to remove disk file system under \"/run/systemd/nspawn/propagate/", StringComparison.Ordinal)) output(l);
        }
        var p = launcher.Start(new ProcessSpec(args[0], args[1..])
        {
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Lines(Line), Stderr = ProcessOutput.Lines(Line),
            MissingHint = "apt install systemd-container",
            // nspawn mounts a tmpfs on /tmp by default: a build's /tmp is the image's (COPY x /tmp/, then RUN uses it).
            Environment = new Dictionary<string, string?> { ["SYSTEMD_NSPAWN_TMPFS_TMP"] = "0" },
        });
        try
        {
            return await p.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Signal(15);
            if (!p.WaitForExit(TimeSpan.FromSeconds(5))) p.KillTree();
            p.WaitForExit(TimeSpan.FromSeconds(5));
            throw;
        }
        finally
        {
            p.Dispose();
        }
    }
}
