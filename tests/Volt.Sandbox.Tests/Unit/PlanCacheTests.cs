using Shouldly;
using Volt.Sandbox.Planning;
using Volt.Sandbox.Policy;
using Volt.Testing;
using Xunit;

namespace Volt.Sandbox.Tests.Unit;

/// <summary>The plan a service's every start reuses: made again whenever a fact it was made from changed.</summary>
public sealed class PlanCacheTests : IDisposable
{
    private readonly TempDir _dir = new("plancache");
    private string Etc => _dir.Combine("etc");

    public void Dispose() => _dir.Dispose();

    private static bool Always(Core.IO.FileStat _) => true;

    [Fact]
    public void PlanCache_TheSameSandboxTwice_PlansOnce_AndReusesThePlan()
    {
        var cache = new SandboxPlanCache(Always);
        var first = cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc);
        var second = cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc);
        cache.Planned.ShouldBe(1);
        second.ShouldBeSameAs(first);
        second.Text.ShouldBe(PlannedSandbox.Of(SandboxPlanner.Plan(SandboxSpec.Default, SandboxTarget.Host(SandboxKind.Service), 7, Etc)).Text);
    }

    [Fact]
    public void PlanCache_AnotherKindAbiOrSpec_IsPlannedOnItsOwn()
    {
        var cache = new SandboxPlanCache(Always);
        cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc);
        cache.Plan(SandboxSpec.Default, SandboxKind.Host, 7, Etc);
        cache.Plan(SandboxSpec.Default, SandboxKind.Service, 3, Etc);
        cache.Plan(SandboxSpec.Default with { CapAdd = ["NET_BIND_SERVICE"] }, SandboxKind.Service, 7, Etc);
        cache.Planned.ShouldBe(4);
        cache.Plan(SandboxSpec.Default with { CapAdd = ["NET_BIND_SERVICE"] }, SandboxKind.Service, 7, Etc);
        cache.Planned.ShouldBe(4);
    }

    [Fact]
    public void PlanCache_AnEditedProfile_IsPlannedAgain_AndTheNewPolicyApplies()
    {
        var cache = new SandboxPlanCache(Always);
        cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc).Plan.Paths.ShouldContain(p => p.Path == "/tmp");
        File.WriteAllText(LandlockProfiles.PathOf(Etc, "default"), """{"fs_read":["/usr"],"fs_execute":["/usr"],"fs_write":["/srv"]}""");
        var edited = cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc);
        cache.Planned.ShouldBe(2);
        edited.Plan.Paths.Select(p => p.Path).ShouldBe(["/srv", "/usr"]);
    }

    [Fact]
    public void PlanCache_ANewEntryInADirectoryWalkedForSecrets_IsInTheNextPlan()
    {
        TestEnv.RequireRoot("the test adds an entry to /var/lib, a directory the plan walks to leave /var/lib/volt out");
        var cache = new SandboxPlanCache(Always);
        var added = "/var/lib/volt-plancache-" + Guid.NewGuid().ToString("N")[..8];
        cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc).Plan.Paths.ShouldNotContain(p => p.Path == added);
        Directory.CreateDirectory(added);
        try
        {
            cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc).Plan.Paths.ShouldContain(p => p.Path == added);
            cache.Planned.ShouldBe(2);
        }
        finally { Directory.Delete(added); }
        cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc).Plan.Paths.ShouldNotContain(p => p.Path == added);
    }

    [Fact]
    public void PlanCache_FactsChangedTooRecentlyToVouchFor_ArePlannedAgainNextTime()
    {
        var cache = new SandboxPlanCache(_ => false);
        cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc);
        cache.Plan(SandboxSpec.Default, SandboxKind.Service, 7, Etc);
        cache.Planned.ShouldBe(2);
    }

    [Fact]
    public void PlanCache_APolicyFile_IsPlannedEveryTime()
    {
        var policy = _dir.Write("policy.json", """{"fs_read":["/usr"]}""");
        var cache = new SandboxPlanCache(Always);
        var spec = SandboxSpec.Default with { Landlock = policy };
        cache.Plan(spec, SandboxKind.Service, 7, Etc);
        cache.Plan(spec, SandboxKind.Service, 7, Etc);
        cache.Planned.ShouldBe(2);
    }
}
