using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Workloads.Rootfs;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Containers;
using Volt.Workloads.Runtime;

namespace Volt.Workloads.Tests.Support;

/// <summary>
/// A private Volt root with a busybox image directory, the in-process runtime, and cleanup of every process, mount
/// and cgroup the test made (also when it failed).
/// </summary>
public sealed class ContainerFixture : IAsyncDisposable
{
    public ContainerFixture(global::Volt.Workloads.Networking.INetworkAttacher? network = null)
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        Dir = new TempDir("ctr");
        Image = BusyboxRootfs.Create(Dir.Combine("image"));
        Paths = new VoltPaths(Dir.Combine("root"));
        Host = new ContainerHost
        {
            Paths = Paths, Cgroups = CgroupDetector.Detect(Paths), Rootfs = new DirectoryRootfsProvider(new ProcessRunner()),
            DefaultStopTimeout = TimeSpan.FromSeconds(3),
            Network = network ?? new global::Volt.Workloads.Networking.NoNetworkAttacher(),
        };
        Engine = new ContainerEngine(Host);
        Runtime = new ContainerRuntime(Host);
    }

    public TempDir Dir { get; }
    public string Image { get; }
    public VoltPaths Paths { get; }
    public ContainerHost Host { get; }
    public ContainerEngine Engine { get; }
    public ContainerRuntime Runtime { get; }
    public ContainerStore Store => Host.Store;

    public ContainerConfig Create(string name, params string[] command) =>
        Engine.Create(new CreateRequest { Name = name, Image = Image, Command = command });

    /// <summary>Polls until <paramref name="condition"/> holds (or fails after <paramref name="seconds"/>).</summary>
    public static async Task WaitFor(Func<bool> condition, double seconds = 10, string what = "condition")
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in Store.Names())
        {
            var pid = Store.State(name).Pid;
            if (pid is { } p) Native.Kill(p, Native.SIGKILL);
            foreach (var q in Host.Cgroups.Pids(name)) Native.Kill(q, Native.SIGKILL);
        }
        foreach (var name in Store.Names())
        {
            try { await Runtime.StopAsync(name, TimeSpan.FromSeconds(1)); } catch (Exception) { }
            try { await Engine.DeleteAsync(name); } catch (Exception) { }
            try { Host.Rootfs.Release(Store.Dir(name)); Host.Cgroups.Delete(name); } catch (Exception) { }
        }
        await Runtime.DisposeAsync();
        CgroupCleanup.RemoveParent(Paths);
        Dir.Dispose();
    }
}

/// <summary>Removes a relocated root's cgroup parent in every hierarchy.</summary>
public static class CgroupCleanup
{
    public static void RemoveParent(VoltPaths paths) => RemoveNamed(CgroupDetector.ParentFor(paths));

    /// <summary>Removes <c>/sys/fs/cgroup/*/NAME</c> (and in the v2 root) depth-first.</summary>
    public static void RemoveNamed(string parent)
    {
        foreach (var dir in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            var p = Path.Combine(dir, parent);
            if (!Directory.Exists(p)) continue;
            foreach (var child in Directory.GetDirectories(p)) TryRmdirTree(child);
            TryRmdirTree(p);
        }
        foreach (var p in new[] { "/sys/fs/cgroup/" + parent, "/sys/fs/cgroup/unified/" + parent }) TryRmdirTree(p);
    }

    private static void TryRmdirTree(string dir)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var c in Directory.GetDirectories(dir)) TryRmdirTree(c);
        try { Directory.Delete(dir); } catch (IOException) { }
    }
}
