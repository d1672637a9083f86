namespace Volt.Workloads.Services;

/// <summary>
/// Where one launch of a unit goes: the workload's name (for messages), its log file, its cgroup name (under Volt's
/// parent) and the directory for the user-switch helper. Tasks pass their own (volt-task-NAME) values.
/// </summary>
/// <param name="ExtraEnvironment">Set after the unit's own Environment=/EnvironmentFile= (a task's run id, say).</param>
/// <param name="Sandbox">The sandbox helper wraps every command (null: none; docs/sandbox.md).</param>
public sealed record ServiceLaunch(
    string Name,
    string LogFile,
    string Cgroup,
    string StateDir,
    IReadOnlyDictionary<string, string>? ExtraEnvironment = null,
    Volt.Sandbox.SandboxRequest? Sandbox = null);
