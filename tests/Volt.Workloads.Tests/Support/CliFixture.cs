using System.Diagnostics;
using Volt.Core.Paths;
using Volt.Testing;
using Volt.Workloads.Containers;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Tests.Support;

/// <summary>
/// The real <c>volt</c> binary against a private root with a busybox image directory. Disposing kills voltd (by the
/// PID in its pid file) and every container process, unmounts rootfs overlays and removes the root's cgroups.
/// </summary>
public sealed class CliFixture : IDisposable
{
    public CliFixture()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        Dir = new TempDir("cli");
        Image = BusyboxRootfs.Create(Dir.Combine("image"));
        Root = Dir.Combine("root");
        Paths = new VoltPaths(Root);
        Store = new ContainerStore(Paths);
    }

    public TempDir Dir { get; }
    public string Image { get; }
    public string Root { get; }
    public VoltPaths Paths { get; }
    public ContainerStore Store { get; }

    public (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(Root, args);

    public int? DaemonPid => File.Exists(Paths.PidFile) && int.TryParse(File.ReadAllText(Paths.PidFile).Trim(), out var p) ? p : null;

    /// <summary>Starts <c>volt</c> without waiting (for kill -9 tests).</summary>
    public Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(VoltBinary.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["VOLT_ROOT"] = Root;
        return Process.Start(psi)!;
    }

    public void Dispose()
    {
        if (DaemonPid is { } d) Native.Kill(d, Native.SIGKILL);
        var cgroups = global::Volt.Workloads.Cgroups.CgroupDetector.Detect(Paths);
        foreach (var name in Store.Names())
        {
            if (Store.State(name).Pid is { } pid) Native.Kill(pid, Native.SIGKILL);
            foreach (var p in cgroups.Pids(name)) Native.Kill(p, Native.SIGKILL);
        }
        Thread.Sleep(100);
        foreach (var name in Store.Names())
        {
            TestEnv.Run("umount", "-l", Store.Rootfs(name));
            cgroups.Delete(name);
        }
        CgroupCleanup.RemoveParent(Paths);
        Dir.Dispose();
    }
}
