using Volt.Composition.Adapters;
using Volt.GitOps.Deploy;
using Volt.GitOps.Pipelines;
using Volt.GitOps.Sources;

namespace Volt.Composition;

public sealed partial class Engines
{
    public PipelineStore Pipelines => Once(ref _pipelines, () => new PipelineStore(Paths.GitOps));
    private PipelineStore? _pipelines;

    /// <summary>git and svn, through <see cref="Processes"/>.</summary>
    public SourceControl Sources => Once(ref _sources, () => new SourceControl(Processes));
    private SourceControl? _sources;

    /// <summary>
    /// A fresh adapter that deploys GitOps manifests through the container engine and the supervisor (fresh because
    /// it remembers whether its deploys started voltd: <c>gitops serve</c> reports that on stop).
    /// </summary>
    public ContainerWorkloadDeployer GitOpsWorkloads() => new(this);

    /// <summary>The GitOps deployer (sync, rollback, resume) over <paramref name="workloads"/> (default: a fresh one).</summary>
    public Deployer GitOpsDeployer(ContainerWorkloadDeployer? workloads = null) =>
        new(Pipelines, Sources, workloads ?? GitOpsWorkloads(), Time);

    /// <summary>Where a running <c>gitops serve</c> publishes its state.</summary>
    public string GitOpsServerStateFile => Path.Combine(Paths.Run, "gitops-serve.json");
}
