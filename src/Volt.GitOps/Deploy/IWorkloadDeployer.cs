namespace Volt.GitOps.Deploy;

/// <summary>What to deploy: the workload name, its manifest, and the checked-out tree a <c>build:</c> refers to.</summary>
public sealed record WorkloadSpec(string Workload, Manifest Manifest, string RepoDir, string Commit, string StateDir);

/// <summary>
/// Deploys a manifest through a workload engine (the container engine in the CLI). Contract: create on first deploy,
/// replace on change; on failure throw and leave the previous workload running.
/// </summary>
public interface IWorkloadDeployer
{
    Task DeployAsync(WorkloadSpec spec, CancellationToken ct);
}
