using Volt.Core.Errors;

namespace Volt.Core.Security;

/// <summary>What an operation needs, as the seed's "Security Model" table says (docs/security.md).</summary>
public enum AccessLevel
{
    /// <summary><c>volt ps</c>, <c>top</c>, <c>logs</c>, <c>config show</c>, inspect/list views: any user, read-only.</summary>
    AnyUser,
    /// <summary>Container lifecycle: root, or the <c>volt</c> group (polkit where systemd runs).</summary>
    ContainerLifecycle,
    /// <summary>VM lifecycle: root, or the <c>volt</c> and <c>kvm</c> groups (polkit where systemd runs).</summary>
    VmLifecycle,
    /// <summary>Networks and the firewall: root (polkit where systemd runs).</summary>
    Network,
    /// <summary>Services, tasks and every other change to the host (images, the store, the registry, GitOps): root (sudo).</summary>
    Root,
}

/// <summary>One row of the table: the level, the operation in words, who may, the groups that admit, the polkit action.</summary>
public sealed record AccessRule(AccessLevel Level, string Operation, string Required, IReadOnlyList<string> Groups, string? PolkitAction);

/// <summary>
/// The one access table, used by the CLI (before it changes anything itself) and by voltd (on every request, against
/// the socket peer). docs/security.md shows the same rows; a test checks they agree.
/// </summary>
public static class AccessRules
{
    public const string VoltGroup = "volt";
    public const string KvmGroup = "kvm";

    public static IReadOnlyList<AccessRule> All { get; } =
    [
        new(AccessLevel.AnyUser, "volt ps, top, logs, config show, inspect and list views", "any user (read-only)", [], null),
        new(AccessLevel.ContainerLifecycle, "container lifecycle", "root or group volt", [VoltGroup], "org.volt.container.manage"),
        new(AccessLevel.VmLifecycle, "VM lifecycle", "root or groups volt + kvm", [VoltGroup, KvmGroup], "org.volt.vm.manage"),
        new(AccessLevel.Network, "network and firewall changes", "root", [], "org.volt.network.manage"),
        new(AccessLevel.Root, "service, task, image, store, registry and GitOps changes", "root", [], null),
    ];

    public static AccessRule Of(AccessLevel level) => All.First(r => r.Level == level);

    /// <summary>
    /// Null when <paramref name="caller"/> may; else why not, in words: the rule that denied and the group that would
    /// allow. <paramref name="groupId"/> resolves a group name (null: the host has no such group, so it admits no one).
    /// </summary>
    public static string? Denial(Caller caller, AccessLevel level, Func<string, uint?>? groupId = null)
    {
        if (level == AccessLevel.AnyUser || caller.IsRoot) return null;
        var rule = Of(level);
        groupId ??= UserDb.GroupId;
        if (rule.Groups.Count > 0)
        {
            // Each group looked up once (a lookup reads /etc/group).
            var ids = rule.Groups.ToDictionary(g => g, g => groupId(g));
            var missing = rule.Groups.Where(g => ids[g] is not { } gid || !caller.InGroup(gid)).ToList();
            if (missing.Count == 0) return null;
            var absent = missing.Where(g => ids[g] is null).ToList();
            var hint = absent.Count > 0
                ? $" (this host has no group {string.Join(", ", absent)}: install.sh creates it with groupadd --system)"
                : "";
            return $"{rule.Operation} needs {rule.Required}; user {caller.User} (uid {caller.Uid}) is not in group {string.Join(" and ", missing)}{hint}";
        }
        return $"{rule.Operation} needs {rule.Required}; user {caller.User} (uid {caller.Uid}) is not root";
    }

    /// <summary><see cref="Denial"/> as the exit-5 error.</summary>
    public static void Demand(Caller caller, AccessLevel level, Func<string, uint?>? groupId = null)
    {
        if (Denial(caller, level, groupId) is { } why) throw new VoltException(ExitCode.Permission, "permission denied: " + why);
    }

    /// <summary>
    /// The level of a state-changing CLI action by its audit name (<c>container.start</c>): containers for the volt
    /// group, VMs for volt + kvm, everything else root; read-only commands (no audit action) are anyone's.
    /// </summary>
    public static AccessLevel ForAction(string? auditAction) => auditAction switch
    {
        null => AccessLevel.AnyUser,
        _ when auditAction.StartsWith("container.", StringComparison.Ordinal) => AccessLevel.ContainerLifecycle,
        _ when auditAction.StartsWith("vm.", StringComparison.Ordinal) => AccessLevel.VmLifecycle,
        _ when auditAction.StartsWith("net.", StringComparison.Ordinal) || auditAction.StartsWith("firewall.", StringComparison.Ordinal)
            || auditAction.StartsWith("dns.", StringComparison.Ordinal) => AccessLevel.Network,
        _ => AccessLevel.Root,
    };
}
