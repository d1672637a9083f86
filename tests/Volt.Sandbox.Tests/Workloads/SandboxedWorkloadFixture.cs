using Volt.Core.Paths;
using Volt.Sandbox.Tests.Support;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;
using Volt.Workloads.Services;

namespace Volt.Sandbox.Tests.Workloads;

/// <summary>
/// The real <c>volt</c> binary against a private root with a busybox image holding the probe at <c>/bin/probe</c>.
/// Disposing kills voltd and every container/service process by PID and removes the root's cgroups.
/// </summary>
public sealed class SandboxedWorkloadFixture : IDisposable
{
    public SandboxedWorkloadFixture()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        TestEnv.Require(File.Exists("/bin/busybox"), "busybox-static is not installed (scripts/apt-packages.txt)");
        Dir = new TempDir("sandbox-wl");
        Image = Dir.Combine("image");
        foreach (var d in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "root", "run", "var", "usr/bin" }) Directory.CreateDirectory(System.IO.Path.Combine(Image, d));
        File.Copy("/bin/busybox", System.IO.Path.Combine(Image, "bin", "busybox"));
        foreach (var a in new[] { "sh", "echo", "cat", "sleep", "ping", "grep", "true" }) File.CreateSymbolicLink(System.IO.Path.Combine(Image, "bin", a), "busybox");
        File.Copy(Probe.Path, System.IO.Path.Combine(Image, "bin", "probe"));
        File.WriteAllText(System.IO.Path.Combine(Image, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(System.IO.Path.Combine(Image, "etc", "group"), "root:x:0:\n");
        File.SetUnixFileMode(System.IO.Path.Combine(Image, "tmp"), (UnixFileMode)0x3FF);
        Root = Dir.Combine("root");
        Paths = new VoltPaths(Root);
    }

    public TempDir Dir { get; }
    public string Image { get; }
    public string Root { get; }
    public VoltPaths Paths { get; }

    public (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(Root, args);

    /// <summary><c>volt run --rm [flags] IMAGE CMD…</c>: flags before the image, the command after.</summary>
    public (int Code, string Out, string Err) Run(string[] flags, params string[] command) =>
        Volt(["run", "--rm", .. flags, Image, .. command]);

    public string Policy(string json) => Dir.Write($"policy-{Guid.NewGuid():N}.json", json);

    public void Dispose()
    {
        if (File.Exists(Paths.PidFile) && int.TryParse(File.ReadAllText(Paths.PidFile).Trim(), out var d)) Kill(d);
        var cgroups = CgroupDetector.Detect(Paths);
        var containers = new ContainerStore(Paths);
        var services = new ServiceStore(Paths);
        foreach (var n in containers.Names())
        {
            if (containers.State(n).Pid is { } p) Kill(p);
            foreach (var p2 in cgroups.Pids(n)) Kill(p2);
        }
        foreach (var n in services.Names())
        {
            if (services.State(n).Pid is { } p) Kill(p);
            var cg = ServiceStore.CgroupName(n);
            if (cgroups.Exists(cg)) foreach (var p2 in cgroups.Pids(cg)) Kill(p2);
        }
        Thread.Sleep(100);
        foreach (var n in containers.Names()) { TestEnv.Run("umount", "-l", containers.Rootfs(n)); try { cgroups.Delete(n); } catch (IOException) { } }
        foreach (var n in services.Names()) try { cgroups.Delete(ServiceStore.CgroupName(n)); } catch (IOException) { }
        var parent = CgroupDetector.ParentFor(Paths);
        foreach (var dir in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
            RmTree(System.IO.Path.Combine(dir, parent));
        Dir.Dispose();
    }

    private static void Kill(int pid) => global::Volt.Core.Native.LibC.kill(pid, 9);

    private static void RmTree(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var c in Directory.GetDirectories(dir)) RmTree(c);
        try { Directory.Delete(dir); } catch (IOException) { }
    }
}
