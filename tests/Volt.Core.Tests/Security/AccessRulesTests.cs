using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Security;
using Volt.Testing;
using Xunit;

namespace Volt.Core.Tests.Security;

/// <summary>The seed's "Security Model" table, row by row (docs/security.md shows the same rows).</summary>
public sealed class AccessRulesTests
{
    private const uint Volt = 990, Kvm = 991;
    private static uint? Groups(string name) => name switch { "volt" => Volt, "kvm" => Kvm, _ => null };
    private static uint? NoVoltGroup(string name) => name == "kvm" ? Kvm : null;

    private static Caller User(params uint[] groups) => new(1000, 1000, groups, 4242, "karl");
    private static readonly Caller Root = new(0, 0, [], 1, "root");

    [Theory]
    [InlineData(AccessLevel.AnyUser)]
    [InlineData(AccessLevel.ContainerLifecycle)]
    [InlineData(AccessLevel.VmLifecycle)]
    [InlineData(AccessLevel.Network)]
    [InlineData(AccessLevel.Root)]
    public void Root_MayDoEverything(AccessLevel level) => AccessRules.Denial(Root, level, Groups).ShouldBeNull();

    [Fact]
    public void AnyUser_MayReadOnly() => AccessRules.Denial(User(), AccessLevel.AnyUser, Groups).ShouldBeNull();

    [Fact]
    public void VoltGroupMember_MayManageContainers() => AccessRules.Denial(User(Volt), AccessLevel.ContainerLifecycle, Groups).ShouldBeNull();

    [Fact]
    public void PrimaryGroupVolt_Counts() =>
        AccessRules.Denial(new Caller(1000, Volt, [], 1, "karl"), AccessLevel.ContainerLifecycle, Groups).ShouldBeNull();

    [Fact]
    public void NonMember_IsDeniedContainers_NamingTheGroupThatWouldAllow()
    {
        var why = AccessRules.Denial(User(), AccessLevel.ContainerLifecycle, Groups).ShouldNotBeNull();
        why.ShouldContain("container lifecycle needs root or group volt");
        why.ShouldContain("user karl (uid 1000) is not in group volt");
    }

    [Fact]
    public void VoltMemberWithoutKvm_IsDeniedVms_NamingKvm()
    {
        var why = AccessRules.Denial(User(Volt), AccessLevel.VmLifecycle, Groups).ShouldNotBeNull();
        why.ShouldContain("not in group kvm");
        why.ShouldNotContain("group volt and");
    }

    [Fact]
    public void VoltAndKvmMember_MayManageVms() => AccessRules.Denial(User(Volt, Kvm), AccessLevel.VmLifecycle, Groups).ShouldBeNull();

    [Theory]
    [InlineData(AccessLevel.Network, "network and firewall changes needs root")]
    [InlineData(AccessLevel.Root, "service, task, image, store, registry and GitOps changes needs root")]
    public void GroupMembers_AreDeniedRootOperations(AccessLevel level, string words)
    {
        var why = AccessRules.Denial(User(Volt, Kvm), level, Groups).ShouldNotBeNull();
        why.ShouldContain(words);
        why.ShouldContain("is not root");
    }

    [Fact]
    public void HostWithoutTheGroup_AdmitsNoMember_AndSaysHowToCreateIt()
    {
        var why = AccessRules.Denial(User(Volt), AccessLevel.ContainerLifecycle, NoVoltGroup).ShouldNotBeNull();
        why.ShouldContain("this host has no group volt");
        why.ShouldContain("groupadd --system");
    }

    [Fact]
    public void Demand_RaisesExitCodePermission()
    {
        var e = Should.Throw<VoltException>(() => AccessRules.Demand(User(), AccessLevel.Network, Groups));
        e.Code.ShouldBe(ExitCode.Permission);
        e.Message.ShouldStartWith("permission denied: ");
    }

    [Theory]
    [InlineData(null, AccessLevel.AnyUser)]
    [InlineData("container.run", AccessLevel.ContainerLifecycle)]
    [InlineData("container.delete", AccessLevel.ContainerLifecycle)]
    [InlineData("vm.start", AccessLevel.VmLifecycle)]
    [InlineData("net.create", AccessLevel.Network)]
    [InlineData("firewall.add", AccessLevel.Network)]
    [InlineData("service.create", AccessLevel.Root)]
    [InlineData("task.run", AccessLevel.Root)]
    [InlineData("image.pull", AccessLevel.Root)]
    [InlineData("gitops.create", AccessLevel.Root)]
    public void ForAction_MapsAuditActionsToTheTable(string? action, AccessLevel level) => AccessRules.ForAction(action).ShouldBe(level);

    [Fact]
    public void DocsSecurityTable_ListsEveryRuleAsInCode()
    {
        var doc = File.ReadAllText(Path.Combine(TestEnv.RepoRoot, "docs", "security.md"));
        foreach (var rule in AccessRules.All)
        {
            doc.ShouldContain($"| {rule.Operation} | {rule.Required} |", customMessage: $"docs/security.md lacks the row of {rule.Level}");
            if (rule.PolkitAction is { } a) doc.ShouldContain(a);
        }
    }

    [Fact]
    public void PolkitPolicy_DeclaresEveryActionOfTheTable()
    {
        var policy = File.ReadAllText(Path.Combine(TestEnv.RepoRoot, "packaging", "polkit", "org.volt.policy"));
        foreach (var a in AccessRules.All.Select(r => r.PolkitAction).OfType<string>())
            policy.ShouldContain($"<action id=\"{a}\">");
    }
}
