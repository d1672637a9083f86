using Volt.Core.Errors;
using Volt.Core.IO;
using Volt.GitOps.Deploy;
using Volt.Images;
using Volt.Images.Oci;
using Volt.Workloads.Containers;
using Volt.Workloads.Supervision;

namespace Volt.Composition.Adapters;

/// <summary>
/// Deploys a <c>volt-manifest.yaml</c> through the container engine. First deploy: create and start. Change: the new
/// settings are first tried in a trial container (<c>&lt;workload&gt;-gitops-next</c>, no published ports); only when it
/// stays up is the old container stopped and replaced. If the replacement still fails, the previous settings are
/// recreated and started again, so a failed deploy leaves the previous workload running. An unchanged manifest
/// (same fingerprint, same image) with a running container is a no-op.
/// <code>
/// /var/lib/volt/gitops/&lt;pipeline&gt;/
///   workload.fingerprint     settings of the running deployment
///   workload-manifest.yaml   its manifest (to restore it after a failed replace)
///   workload-image           the image (or built image) it runs
/// </code>
/// </summary>
public sealed partial class ContainerWorkloadDeployer(Engines engines) : IWorkloadDeployer
{
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    /// <summary>True once a deploy of this instance found voltd down and so started it (serve reports it on stop).</summary>
    public bool StartedVoltd { get; private set; }

    public async Task DeployAsync(WorkloadSpec spec, CancellationToken ct)
    {
        var image = await ResolveImageAsync(spec, ct).ConfigureAwait(false);
        var fingerprint = spec.Manifest.Fingerprint() + "\n" + image;
        var engine = engines.Containers;
        var wasUp = await VoltdListeningAsync(ct).ConfigureAwait(false);
        var supervisor = await engines.SupervisorAsync(ct).ConfigureAwait(false);
        if (wasUp == false && supervisor.Name == "voltd") StartedVoltd = true;
        var name = spec.Workload;
        var exists = engine.Records.Exists(name);
        var fpFile = Path.Combine(spec.StateDir, "workload.fingerprint");
        if (exists && engine.View(name).Status == ContainerStatus.Running && File.Exists(fpFile) && File.ReadAllText(fpFile) == fingerprint) return;

        if (exists) await TrialAsync(engine, supervisor, Request(spec.Manifest, $"{name}-gitops-next", image) with { Publish = [] }, ct).ConfigureAwait(false);
        if (exists)
        {
            await supervisor.StopAsync(name, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            await engine.DeleteAsync(name, ct).ConfigureAwait(false);
        }
        try
        {
            await CreateAndStartAsync(engine, supervisor, Request(spec.Manifest, name, image), ct).ConfigureAwait(false);
        }
        catch (VoltException e) when (exists && Previous(spec) is { } previous)
        {
            await CreateAndStartAsync(engine, supervisor, previous, CancellationToken.None).ConfigureAwait(false);
            throw new VoltException(e.Code, $"{e.Message} (previous workload restored)", e);
        }
        AtomicFile.WriteAllText(fpFile, fingerprint);
        File.Copy(Path.Combine(spec.RepoDir, ManifestParser.FileName), Path.Combine(spec.StateDir, "workload-manifest.yaml"), overwrite: true);
        AtomicFile.WriteAllText(Path.Combine(spec.StateDir, "workload-image"), image);
    }

    /// <summary>Whether voltd answers on its socket (null where systemd supervises).</summary>
    private async Task<bool?> VoltdListeningAsync(CancellationToken ct)
    {
        if (engines.SystemdSupervises) return null;
        using var client = await engines.ListeningVoltdAsync(ct).ConfigureAwait(false);
        return client is not null;
    }

    /// <summary>Creates, starts and checks that the container is still running after <see cref="SettleTime"/>.</summary>
    private static async Task CreateAndStartAsync(ContainerEngine engine, ISupervisor supervisor, CreateRequest request, CancellationToken ct)
    {
        engine.Create(request);
        try
        {
            await supervisor.StartAsync(request.Name, ct).ConfigureAwait(false);
            await Task.Delay(SettleTime, ct).ConfigureAwait(false);
            if (engine.View(request.Name).Status != ContainerStatus.Running)
                throw new VoltException(ExitCode.General, $"workload \"{request.Name}\" exited right after starting");
        }
        catch
        {
            try { await supervisor.StopAsync(request.Name, TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false); } catch (VoltException) { }
            await engine.DeleteAsync(request.Name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task TrialAsync(ContainerEngine engine, ISupervisor supervisor, CreateRequest request, CancellationToken ct)
    {
        if (engine.Records.Exists(request.Name))
        {
            try { await supervisor.StopAsync(request.Name, TimeSpan.FromSeconds(2), ct).ConfigureAwait(false); } catch (VoltException) { }
            await engine.DeleteAsync(request.Name, ct).ConfigureAwait(false);
        }
        try { await CreateAndStartAsync(engine, supervisor, request, ct).ConfigureAwait(false); }
        catch (VoltException e) { throw new VoltException(e.Code, $"new workload failed to start, previous one kept running: {e.Message}", e); }
        await supervisor.StopAsync(request.Name, TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        await engine.DeleteAsync(request.Name, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>image:</c> as it is; <c>build:</c> built as <c>gitops-&lt;workload&gt;:&lt;commit&gt;</c>: a Containerfile (the
    /// path names one, or the directory holds a Containerfile or Dockerfile) with the image builder, the directory as
    /// context; any other directory as a root filesystem (build-from-dir).
    /// </summary>
    private async Task<string> ResolveImageAsync(WorkloadSpec spec, CancellationToken ct)
    {
        if (spec.Manifest.Build is not { } build) return spec.Manifest.Image!;
        var path = Path.GetFullPath(Path.Combine(spec.RepoDir, build));
        var tag = spec.Commit.Length > 12 ? spec.Commit[..12] : spec.Commit;
        var reference = ImageReference.Parse($"gitops-{spec.Workload}:{tag}");
        string? containerfile = File.Exists(path) ? path
            : new[] { "Containerfile", "Dockerfile" }.Select(n => Path.Combine(path, n)).FirstOrDefault(File.Exists);
        if (containerfile is not null)
        {
            var request = new Volt.Images.Build.BuildRequest
            {
                Context = Path.GetDirectoryName(containerfile)!, File = containerfile, Tags = [reference.ToString()],
                Network = engines.BuildConfig.Network,
            };
            await engines.ImageBuilder.BuildAsync(request, null, ct).ConfigureAwait(false);
            return reference.ToString();
        }
        if (!Directory.Exists(path)) throw VoltException.NotFound($"build directory \"{build}\" not found in the repository");
        new DirImageBuilder(engines.Cas, engines.Parallelism, engines.Time).Build(path, reference, new DirImageOptions(), null, ct);
        return reference.ToString();
    }

    private static CreateRequest? Previous(WorkloadSpec spec)
    {
        try
        {
            var manifest = ManifestParser.Parse(File.ReadAllText(Path.Combine(spec.StateDir, "workload-manifest.yaml")));
            return Request(manifest, spec.Workload, File.ReadAllText(Path.Combine(spec.StateDir, "workload-image")).Trim());
        }
        catch (Exception e) when (e is IOException or ManifestException) { return null; }
    }

    private static CreateRequest Request(Manifest m, string name, string image) => new()
    {
        Name = name, Image = image, Command = m.Command, Env = m.Env, Volumes = m.Volumes, Publish = m.Ports,
        Memory = m.Memory, Cpu = m.Cpu, Pids = m.Pids, Restart = m.Restart,
    };
}
