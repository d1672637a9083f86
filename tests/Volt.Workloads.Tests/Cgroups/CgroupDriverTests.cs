using Shouldly;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Xunit;

namespace Volt.Workloads.Tests.Cgroups;

/// <summary>v1 on this host's real hierarchies (hybrid layout).</summary>
public sealed class CgroupV1DriverTests : CgroupContract
{
    private readonly string _parent = "volt-test-" + Guid.NewGuid().ToString("N")[..8];

    protected override ICgroupDriver CreateDriver()
    {
        TestEnv.RequireRoot("writes the real v1 cgroup hierarchies");
        if (!CgroupV1Driver.Usable("/sys/fs/cgroup")) Assert.Skip("no cgroup v1 memory hierarchy on this host (pure v2)");
        return new CgroupV1Driver("/sys/fs/cgroup", _parent);
    }

    protected override void CleanupParent() => Support.CgroupCleanup.RemoveNamed(_parent);
}

/// <summary>v1 join files on a fake hybrid tree (plain directories): which hierarchies a start writes, and how.</summary>
public sealed class CgroupV1JoinFileTests
{
    [Fact]
    public void Join_files_use_tasks_for_v1_and_cgroup_procs_for_unified_and_skip_bookkeeping_when_shared()
    {
        using var dir = new TempDir("cgv1");
        foreach (var h in new[] { "memory", "cpu", "pids", "systemd", "unified" }) Directory.CreateDirectory(Path.Combine(dir.Path, h));
        var driver = new CgroupV1Driver(dir.Path, "volt");
        var all = driver.JoinFiles("web").Select(f => Path.GetRelativePath(dir.Path, f)).ToList();
        all.ShouldBe(["memory/volt/web/tasks", "cpu/volt/web/tasks", "pids/volt/web/tasks", "systemd/volt/web/tasks", "unified/volt/web/cgroup.procs"],
            ignoreOrder: true);
        var shared = driver.JoinFiles("web", bookkeeping: false).Select(f => Path.GetRelativePath(dir.Path, f)).ToList();
        shared.ShouldBe(["memory/volt/web/tasks", "cpu/volt/web/tasks", "pids/volt/web/tasks"], ignoreOrder: true);
    }

    [Fact]
    public void Entering_shared_bookkeeping_prepares_nspawns_groups_and_writes_our_pid()
    {
        using var dir = new TempDir("cgv1");
        foreach (var h in new[] { "memory", "systemd", "unified" }) Directory.CreateDirectory(Path.Combine(dir.Path, h));
        new CgroupV1Driver(dir.Path, "volt").EnterSharedBookkeeping().ShouldBeTrue();
        foreach (var h in new[] { "systemd", "unified" })
            File.ReadAllText(Path.Combine(dir.Path, h, "volt", CgroupV1Driver.SharedGroup, "cgroup.procs")).Trim().ShouldBe(Environment.ProcessId.ToString());
        Directory.Exists(Path.Combine(dir.Path, "systemd", "volt", CgroupV1Driver.SharedGroup, "payload")).ShouldBeTrue();
        File.Exists(Path.Combine(dir.Path, "memory", "volt", CgroupV1Driver.SharedGroup, "cgroup.procs")).ShouldBeFalse("controllers stay per container");
    }

    [Fact]
    public void Without_bookkeeping_hierarchies_there_is_nothing_to_share()
    {
        using var dir = new TempDir("cgv1");
        Directory.CreateDirectory(Path.Combine(dir.Path, "memory"));
        new CgroupV1Driver(dir.Path, "volt").EnterSharedBookkeeping().ShouldBeFalse();
    }
}

/// <summary>v2 against a fake cgroupfs tree in a temp dir (control files are plain files).</summary>
public sealed class CgroupV2FakeTreeTests : CgroupContract
{
    private readonly TempDir _dir = new("cgv2");

    protected override bool RealKernel => false;

    protected override ICgroupDriver CreateDriver()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "cgroup.controllers"), "cpuset cpu io memory pids");
        return new CgroupV2Driver(_dir.Path, "volt");
    }

    protected override void CleanupParent() => _dir.Dispose();
}

/// <summary>v2 on the real unified mount when it offers the memory controller (pure v2 hosts).</summary>
public sealed class CgroupV2RealTests : CgroupContract
{
    private readonly string _parent = "volt-test-" + Guid.NewGuid().ToString("N")[..8];
    private string _root = "";

    protected override ICgroupDriver CreateDriver()
    {
        TestEnv.RequireRoot("writes the real v2 cgroup tree");
        _root = new[] { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" }.FirstOrDefault(CgroupV2Driver.Usable) ?? "";
        if (_root.Length == 0) Assert.Skip("no cgroup v2 mount with the memory controller here (hybrid host: v1 suite covers it)");
        return new CgroupV2Driver(_root, _parent);
    }

    protected override void CleanupParent()
    {
        if (_root.Length == 0) return;
        try { Directory.Delete(Path.Combine(_root, _parent)); } catch (IOException) { }
    }
}
