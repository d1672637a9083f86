using Shouldly;
using Volt.Vms.Kernels;
using Xunit;

namespace Volt.Vms.Tests.Kernels;

/// <summary>
/// The initramfs's order of work. Seen in CI and here (1 boot in 8 under TCG): the agent started in the background
/// lost the race with <c>switch_root</c>, which empties the initramfs and moves <c>/newroot</c> before the child had
/// exec'd the root disk's busybox — the guest booted, no agent ran, and every <c>vm exec</c> timed out.
/// </summary>
public sealed class InitScriptsTests
{
    [Fact]
    public void TheInit_WaitsForTheAgentsMark_BeforeSwitchRoot_AndTheAgentMarksBeforeAnythingElse()
    {
        var init = InitScripts.Init;
        var start = init.IndexOf("/dev/.volt/agent </dev/null", StringComparison.Ordinal);
        var wait = init.IndexOf("while [ ! -e /newroot/dev/.volt/agent.started ]", StringComparison.Ordinal);
        var switchRoot = init.IndexOf("switch_root /newroot", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0);
        wait.ShouldBeGreaterThan(start);
        switchRoot.ShouldBeGreaterThan(wait);

        var agentLines = InitScripts.Agent.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        agentLines.TakeWhile(l => l.StartsWith("B=") || l.StartsWith("P=")).Count().ShouldBe(2);
        agentLines[2].ShouldBe(": >/dev/.volt/agent.started");
    }

    [Fact]
    public void TheInit_MovesProcSysAndDevIntoTheRoot_BeforeTheAgentStarts_AndTheAgentOpensItsPortOnlyAfterSwitchRoot()
    {
        var init = InitScripts.Init;
        var move = init.IndexOf("for d in proc sys dev; do", StringComparison.Ordinal);
        move.ShouldBeGreaterThan(0);
        init.IndexOf("$B mount --move /$d /newroot/$d", move, StringComparison.Ordinal).ShouldBeGreaterThan(move);
        init.IndexOf("/dev/.volt/agent </dev/null", StringComparison.Ordinal).ShouldBeGreaterThan(move);
        init.ShouldNotContain("umount /proc");

        var agent = InitScripts.Agent;
        var wait = agent.IndexOf("[ /proc/1/root -ef / ]", StringComparison.Ordinal);
        wait.ShouldBeGreaterThan(0);
        agent.IndexOf("exec <$P", StringComparison.Ordinal).ShouldBeGreaterThan(wait);
        agent.IndexOf(InitScripts.ReadyMarker, StringComparison.Ordinal).ShouldBeGreaterThan(wait);
    }
}
