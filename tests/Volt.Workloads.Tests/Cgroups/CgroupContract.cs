using System.Diagnostics;
using Shouldly;
using Volt.Workloads.Cgroups;
using Xunit;

namespace Volt.Workloads.Tests.Cgroups;

/// <summary>The one contract every <see cref="ICgroupDriver"/> passes (v1 real, v2 fake tree, v2 real where mounted).</summary>
public abstract class CgroupContract : IDisposable
{
    private readonly List<string> _groups = [];
    private readonly List<Process> _processes = [];

    /// <summary>The driver under test, or null after skipping.</summary>
    protected abstract ICgroupDriver CreateDriver();

    /// <summary>Whether PIDs written to cgroup.procs must be real processes (a real cgroupfs).</summary>
    protected virtual bool RealKernel => true;

    private ICgroupDriver Driver => _driver ??= CreateDriver();
    private ICgroupDriver? _driver;

    private string NewGroup()
    {
        var name = "c" + Guid.NewGuid().ToString("N")[..10];
        _groups.Add(name);
        return name;
    }

    [Fact]
    public void Create_is_idempotent_and_delete_removes_every_trace()
    {
        var g = NewGroup();
        Driver.Exists(g).ShouldBeFalse();
        Driver.Create(g);
        Driver.Create(g);
        Driver.Exists(g).ShouldBeTrue();
        Directory.Exists(Driver.PathOf(g)).ShouldBeTrue();
        Driver.Delete(g);
        Driver.Exists(g).ShouldBeFalse();
        Driver.Delete(g);
    }

    [Fact]
    public void Limits_round_trip_and_reset_to_unlimited()
    {
        var g = NewGroup();
        Driver.Create(g);
        Driver.Apply(g, new ResourceLimits(64L << 20, 200, 50));
        Driver.ReadLimits(g).ShouldBe(new ResourceLimits(64L << 20, 200, 50));
        Driver.Apply(g, new ResourceLimits(32L << 20, 50, null));
        Driver.ReadLimits(g).ShouldBe(new ResourceLimits(32L << 20, 50, null));
        Driver.Apply(g, new ResourceLimits());
        Driver.ReadLimits(g).ShouldBe(new ResourceLimits());
    }

    [Fact]
    public void Processes_join_are_listed_and_counted()
    {
        var g = NewGroup();
        Driver.Create(g);
        var pid = StartSleeper();
        Driver.AddProcess(g, pid);
        Driver.Pids(g).ShouldContain(pid);
        Driver.ProcsFiles(g).ShouldAllBe(f => File.Exists(f));
        var stats = Driver.Stats(g);
        stats.Tasks.ShouldBe(1);
        if (RealKernel) stats.MemoryBytes.ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public void Stats_report_the_memory_limit()
    {
        var g = NewGroup();
        Driver.Create(g);
        Driver.Apply(g, new ResourceLimits(16L << 20));
        Driver.Stats(g).MemoryLimitBytes.ShouldBe(16L << 20);
        Driver.Stats(g).OomKills.ShouldBe(0);
    }

    private int StartSleeper()
    {
        if (!RealKernel) return 4242;
        var p = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        _processes.Add(p);
        return p.Id;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { p.Kill(); p.WaitForExit(5000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        if (_driver is null) return;
        foreach (var g in _groups)
        {
            for (var i = 0; i < 50 && _driver.Pids(g).Count > 0; i++) Thread.Sleep(20);
            _driver.Delete(g);
        }
        CleanupParent();
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes the per-test parent group (real hierarchies).</summary>
    protected virtual void CleanupParent() { }
}
