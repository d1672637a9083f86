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
