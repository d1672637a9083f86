namespace Volt.GitOps.Deploy;

/// <summary>
/// A repository that holds a stack: its file (the first of <see cref="StackFiles.Names"/> in the root), the stack name
/// (the pipeline's workload), the checkout and the commit.
/// </summary>
public sealed record StackSpec(string Stack, string File, string RepoDir, string Commit, string StateDir);

/// <summary>
/// Deploys a stack through the desired-state orchestrator (the one <c>volt compose up -d</c> uses): the plan compares
/// each instance's config hash with what runs, so a push that changes one service recreates only that service.
/// Returns what changed, for the history entry's notes. Contract as <see cref="IWorkloadDeployer"/>: on failure it
/// throws and what ran before keeps running (the orchestrator restores replaced instances).
/// </summary>
public interface IStackDeployer
{
    Task<string> DeployStackAsync(StackSpec spec, CancellationToken ct);
}

/// <summary>Which files make a repository a stack repository (a <c>volt-manifest.yaml</c> beside them wins).</summary>
public static class StackFiles
{
    public static readonly string[] Names =
        ["volt-compose.yaml", "volt-compose.yml", "Voltfile", "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    /// <summary>The stack file in the repository root, or null (also when <c>volt-manifest.yaml</c> is there).</summary>
    public static string? Find(string repo)
    {
        if (System.IO.File.Exists(Path.Combine(repo, ManifestParser.FileName))) return null;
        return Names.Select(n => Path.Combine(repo, n)).FirstOrDefault(System.IO.File.Exists);
    }
}
