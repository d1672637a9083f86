using System.Diagnostics;
using Shouldly;
using Volt.Testing;
using Volt.Workloads.Containers;
using Volt.Workloads.Runtime;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>The volt binary end to end: run, voltd on demand, restarts of voltd, bad input, interrupted creates.</summary>
public sealed class CliTests
{
    [Fact]
    public void Run_passes_output_and_the_exit_code_through()
    {
        using var f = new CliFixture();
        var (code, stdout, _) = f.Volt("run", "--rm", f.Image, "echo", "hi");
        code.ShouldBe(0);
        stdout.ShouldBe("hi\n");
        f.Volt("run", "--rm", f.Image, "sh", "-c", "exit 7").Code.ShouldBe(7);
        f.Store.Names().ShouldBeEmpty("--rm deletes");
    }

    [Fact]
    public void Userns_private_maps_root_to_a_picked_range_and_host_is_the_identity()
    {
        using var f = new CliFixture();
        var host = f.Volt("run", "--rm", f.Image, "cat", "/proc/self/uid_map");
        host.Code.ShouldBe(0, host.Err);
        host.Out.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2].ShouldBe(["0", "0"], "the host user namespace by default");
        var priv = f.Volt("run", "--rm", "--userns", "private", f.Image, "cat", "/proc/self/uid_map");
        priv.Code.ShouldBe(0, priv.Err);
        var map = priv.Out.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        map[0].ShouldBe("0");
        map[1].ShouldNotBe("0", "root inside is an unprivileged UID outside");
        map[2].Trim().ShouldBe("65536");
    }

    [Fact]
    public async Task A_container_voltd_starts_joins_its_own_limit_groups_and_nspawn_files_it_under_voltds_shared_group()
    {
        using var f = new CliFixture();
        if (!Directory.Exists("/sys/fs/cgroup/memory") || !Directory.Exists("/sys/fs/cgroup/unified"))
            Assert.Skip("no hybrid cgroup layout here (the shared bookkeeping group exists only there)");
        var run = f.Volt("run", "-d", "--name", "web", f.Image, "sleep", "1000");
        run.Code.ShouldBe(0, run.Err);
        var nspawn = f.Store.State("web").Pid.ShouldNotBeNull();
        var parent = Volt.Workloads.Cgroups.CgroupDetector.ParentFor(f.Paths);
        // nspawn files itself under .voltd/ (its supervisor group) a moment after it starts: wait for that, not a sleep.
        await ContainerFixture.WaitFor(() => File.ReadAllLines($"/proc/{nspawn}/cgroup")
            .Any(l => l.StartsWith("0::", StringComparison.Ordinal) && l.Contains($"/{parent}/.voltd/")), 20, "nspawn under .voltd/ in the unified tree");
        var cgroups = File.ReadAllLines($"/proc/{nspawn}/cgroup");
        cgroups.ShouldContain(l => l.EndsWith($":memory:/{parent}/web", StringComparison.Ordinal));
        cgroups.ShouldContain(l => l.EndsWith($":pids:/{parent}/web", StringComparison.Ordinal));
        cgroups.ShouldContain(l => l.StartsWith("0::", StringComparison.Ordinal) && l.Contains($"/{parent}/.voltd/"));
        File.ReadAllLines($"/proc/{f.DaemonPid}/cgroup").ShouldContain($"0::/{parent}/.voltd");
        f.Volt("container", "rm", "-f", "web").Code.ShouldBe(0);
    }

    [Fact]
    public async Task Voltd_killed_while_a_container_runs_leaves_it_running_and_the_next_voltd_adopts_it()
    {
        using var f = new CliFixture();
        var (code, stdout, stderr) = f.Volt("run", "-d", "--name", "web", f.Image, "sleep", "1000");
        code.ShouldBe(0, stderr);
        stdout.Trim().ShouldBe("web");
        var daemon = f.DaemonPid.ShouldNotBeNull();
        var nspawn = f.Store.State("web").Pid.ShouldNotBeNull();

        Native.Kill(daemon, Native.SIGKILL);
        await ContainerFixture.WaitFor(() => !ProcFs.IsAlive(daemon), what: "voltd to die");
        ProcFs.IsAlive(nspawn).ShouldBeTrue("the container outlives voltd");
        f.Volt("ps").Out.ShouldContain("running");

        var sw = Stopwatch.StartNew();
        var stop = f.Volt("container", "stop", "web", "--time", "60");
        stop.Code.ShouldBe(0, stop.Err);
        f.DaemonPid.ShouldNotBe(daemon, "a new voltd was started on demand");
        File.ReadAllText(f.Paths.DaemonLog).ShouldContain("re-adopted 1 running container");
        ProcFs.IsAlive(nspawn).ShouldBeFalse();
        f.Store.State("web").Status.ShouldBe(ContainerStatus.Stopped);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the re-adopted payload stops on SIGTERM, not at the 60 s timeout");

        f.Volt("container", "delete", "web").Code.ShouldBe(0);
        Directory.Exists(f.Store.Dir("web")).ShouldBeFalse();
        File.Exists(f.Store.UnitFile("web")).ShouldBeFalse();
        File.Exists(f.Store.LogFile("web")).ShouldBeFalse();
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs("web"));
        Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, Volt.Workloads.Cgroups.CgroupDetector.ParentFor(f.Paths), "web"))
            .Where(Directory.Exists).ShouldBeEmpty();
    }

    [Fact]
    public void Bad_input_exit_codes()
    {
        using var f = new CliFixture();
        f.Volt("container", "create", f.Image, "--name", "a").Code.ShouldBe(0);
        var dup = f.Volt("container", "create", f.Image, "--name", "a");
        dup.Code.ShouldBe(4);
        dup.Err.ShouldContain("already exists");
        f.Volt("container", "create", f.Image, "--name", "b", "--memory", "1Q").Code.ShouldBe(2);
        var unknown = f.Volt("container", "create", "/no/such/image", "--name", "c");
        unknown.Code.ShouldBe(3);
        unknown.Err.ShouldContain("/no/such/image");
        f.Volt("container", "start", "nope").Code.ShouldBe(3);
        f.Volt("container", "delete", "a").Code.ShouldBe(0);
        f.Volt("container", "create", f.Image, "--name", "d", "--userns", "shared").Code.ShouldBe(2);
        var mixed = f.Volt("container", "create", f.Image, "--name", "e", "--userns", "private", "--volume", "/tmp:/data");
        mixed.Code.ShouldBe(2);
        mixed.Err.ShouldContain("--userns private");
        // run -d reports the same errors before voltd is asked (or started), and creates nothing.
        f.Volt("run", "-d", "--name", "f", "--memory", "1Q", f.Image, "sleep", "5").Code.ShouldBe(2);
        f.Volt("run", "-d", "--name", "g", "/no/such/image").Code.ShouldBe(3);
        f.Volt("run", "-d", "--name", "a2", f.Image, "sleep", "30").Code.ShouldBe(0);
        f.Volt("run", "-d", "--name", "a2", f.Image, "sleep", "30").Code.ShouldBe(4);
        f.Volt("container", "rm", "-f", "a2").Code.ShouldBe(0);
        f.Store.Names().ShouldBeEmpty();
    }

    [Fact]
    public void Kill_9_of_the_cli_mid_create_leaves_a_consistent_state_that_delete_cleans()
    {
        using var f = new CliFixture();
        for (var i = 0; i < 4; i++)
        {
            using var p = f.Start("container", "create", f.Image, "--name", $"k{i}", "--memory", "64M");
            Thread.Sleep(5 + i * 12);
            try { p.Kill(); } catch (InvalidOperationException) { }
            p.WaitForExit();
        }
        var ps = f.Volt("ps", "-o", "json");
        ps.Code.ShouldBe(0, ps.Err);
        foreach (var name in f.Store.Names())
        {
            ps.Out.ShouldContain($"\"{name}\"");
            f.Volt("container", "delete", name).Code.ShouldBe(0);
            Directory.Exists(f.Store.Dir(name)).ShouldBeFalse();
            File.Exists(f.Store.UnitFile(name)).ShouldBeFalse();
            File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(f.Store.Rootfs(name));
        }
        f.Volt("ps", "-o", "json").Out.Trim().ShouldBe("[]");
    }

    [Fact]
    public void Exec_update_inspect_and_logs_through_the_binary()
    {
        using var f = new CliFixture();
        f.Volt("run", "-d", "--name", "box", "--memory", "64M", f.Image, "sh", "-c", "echo booted; exec sleep 1000").Code.ShouldBe(0);
        var exec = f.Volt("container", "exec", "box", "sh", "-c", "cat /etc/passwd | head -1; exit 3");
        exec.Code.ShouldBe(3);
        exec.Out.ShouldStartWith("root:");
        f.Volt("container", "update", "box", "--memory", "96M").Code.ShouldBe(0);
        var driver = Volt.Workloads.Cgroups.CgroupDetector.Detect(f.Paths);
        driver.ReadLimits("box").MemoryBytes.ShouldBe(96L << 20);
        f.Volt("container", "inspect", "box", "-o", "json").Out.ShouldContain("\"memory_bytes\": 100663296");
        // The log is written by the supervisor as output arrives: give it a moment on a loaded machine.
        var logs = "";
        for (var i = 0; i < 100 && !logs.Contains("booted"); i++)
        {
            logs = f.Volt("logs", "box").Out;
            if (!logs.Contains("booted")) Thread.Sleep(50);
        }
        logs.ShouldContain("booted");
        var top = f.Volt("top", "-o", "json");
        top.Out.ShouldContain("\"name\": \"box\"");
        f.Volt("container", "delete", "-f", "box").Code.ShouldBe(0);
        f.Store.Names().ShouldBeEmpty();
    }
}
