using Volt.Core.Paths;
using Volt.Testing;
using Volt.Workloads.Runtime;
using Volt.Workloads.Tasks;

namespace Volt.Workloads.Tests.Tasks;

/// <summary>
/// The real <c>volt</c> binary and the voltd it starts on demand, against a private root. Disposing kills voltd (by its
/// pid file), every recorded run's process and the tasks' cgroups.
/// </summary>
public sealed class TaskCliFixture : IDisposable
{
    public TaskCliFixture()
    {
        TestEnv.RequireRoot("task runs get cgroups of their own");
        Dir = new TempDir("taskcli");
        Root = Dir.Combine("root");
        Paths = new VoltPaths(Root);
        Store = new TaskStore(Paths);
    }

    public TempDir Dir { get; }
    public string Root { get; }
    public VoltPaths Paths { get; }
    public TaskStore Store { get; }

    public (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(Root, args);

    public int? DaemonPid => File.Exists(Paths.PidFile) && int.TryParse(File.ReadAllText(Paths.PidFile).Trim(), out var p) ? p : null;

    public void Dispose()
    {
        if (DaemonPid is { } d) Native.Kill(d, Native.SIGKILL);
        var cgroups = global::Volt.Workloads.Cgroups.CgroupDetector.Detect(Paths);
        foreach (var name in Store.Names())
        {
            foreach (var r in Store.History(name)) if (r.Pid is { } pid && r.Result == TaskResult.Running) Native.Kill(pid, Native.SIGKILL);
            foreach (var p in cgroups.Pids(TaskStore.CgroupName(name))) Native.Kill(p, Native.SIGKILL);
        }
        Thread.Sleep(100);
        foreach (var name in Store.Names())
            try { cgroups.Delete(TaskStore.CgroupName(name)); } catch (IOException) { }
        Support.CgroupCleanup.RemoveParent(Paths);
        Dir.Dispose();
    }
}
