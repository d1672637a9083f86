using System.Text.Json.Nodes;
using Shouldly;
using Volt.Testing;
using Volt.Workloads.Logs;
using Volt.Workloads.Runtime;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>
/// The podman-shaped surface through the real binary and real nspawn: top-level shortcuts, exec -i/-t/-u/-e/-w/-d,
/// logs --tail/--since/--until/--timestamps/-f on voltd's stamped log, container/system prune and system df.
/// </summary>
public sealed class PodmanCliTests
{
    private static (int Code, string Out, string Err) VoltWithStdin(CliFixture f, string stdin, params string[] args) =>
        TestEnv.Run(VoltBinary.Path, args, new Dictionary<string, string> { ["VOLT_ROOT"] = f.Root, ["VOLT_COLOR"] = "never" }, stdin);

    [Fact]
    public void Shortcuts_drive_a_containers_whole_life_as_the_long_forms_do()
    {
        using var f = new CliFixture();
        f.Volt("create", f.Image, "--name", "a", "--", "sleep", "1000").Code.ShouldBe(0);
        f.Volt("inspect", "a", "-o", "json").Out.ShouldBe(f.Volt("container", "inspect", "a", "-o", "json").Out);
        var start = f.Volt("start", "a");
        start.Code.ShouldBe(0, start.Err);
        f.Store.State("a").Status.ShouldBe(Volt.Workloads.Containers.ContainerStatus.Running);
        var exec = f.Volt("exec", "a", "sh", "-c", "echo in; exit 4");
        exec.Code.ShouldBe(4);
        exec.Out.ShouldBe("in\n");
        var stats = f.Volt("stats", "-o", "json");
        stats.Code.ShouldBe(0, stats.Err);
        JsonNode.Parse(stats.Out)!.AsArray().Select(n => (string)n!["name"]!).ShouldBe(["a"]);
        var pid = f.Store.State("a").Pid;
        f.Volt("restart", "a", "--time", "1").Code.ShouldBe(0);
        f.Store.State("a").Pid.ShouldNotBe(pid, "restarted: a new nspawn");
        f.Volt("stop", "a", "--time", "1").Code.ShouldBe(0);
        f.Store.State("a").Status.ShouldBe(Volt.Workloads.Containers.ContainerStatus.Stopped);
        f.Volt("rm", "a").Code.ShouldBe(0);
        f.Store.Names().ShouldBeEmpty();
        f.Volt("inspect", "a").Code.ShouldBe(3);
    }

    [Fact]
    public async Task Exec_flags_env_workdir_user_stdin_detach_and_tty()
    {
        using var f = new CliFixture();
        f.Volt("run", "-d", "--name", "box", "--workdir", "/tmp", f.Image, "sleep", "1000").Code.ShouldBe(0);

        // nsenter opens --wd before entering the mount namespace: both the container's workdir and -w are its paths.
        f.Volt("exec", "box", "sh", "-c", "pwd").Out.ShouldBe("/tmp\n");
        f.Volt("exec", "-w", "/", "box", "sh", "-c", "pwd").Out.ShouldBe("/\n");

        var env = f.Volt("exec", "-e", "A=1", "-e", "B=two words", "box", "env");
        env.Code.ShouldBe(0, env.Err);
        env.Out.Split('\n').ShouldContain("A=1");
        env.Out.Split('\n').ShouldContain("B=two words");

        var wd = f.Volt("exec", "-w", "/tmp", "box", "sh", "-c", "pwd");
        wd.Code.ShouldBe(0, wd.Err);
        wd.Out.ShouldBe("/tmp\n");

        f.Volt("exec", "-u", "nobody", "box", "id", "-u").Out.ShouldBe("65534\n");
        var ids = f.Volt("exec", "-u", "123:45", "box", "sh", "-c", "id -u; id -g; echo $HOME");
        ids.Code.ShouldBe(0, ids.Err);
        ids.Out.ShouldBe("123\n45\n/\n");
        f.Volt("exec", "-u", "ghost", "box", "true").Code.ShouldBe(3);

        VoltWithStdin(f, "typed\n", "exec", "-i", "box", "cat").Out.ShouldBe("typed\n");
        VoltWithStdin(f, "typed\n", "exec", "box", "cat").Out.ShouldBe("", "without -i stdin is closed");

        var tty = f.Volt("exec", "-t", "box", "busybox", "tty");
        tty.Code.ShouldBe(0, tty.Err);
        tty.Out.Trim().ShouldMatch(@"^/dev/pts/\d+$");
        f.Volt("exec", "box", "busybox", "tty").Code.ShouldBe(1, "no terminal without -t");
        if (TestEnv.HasTool("script"))
        {
            // -it from a terminal (script gives volt one): typed lines reach the container's shell, its exit code is ours.
            var line = $"VOLT_ROOT={f.Root} {VoltBinary.Path} exec -it box sh";
            var it = TestEnv.Run("script", ["-qec", line, "/dev/null"], null, "echo hi-$((1+2)); busybox tty\nexit 5\n");
            it.Code.ShouldBe(5, it.Out + it.Err);
            it.Out.ShouldContain("hi-3");
            it.Out.ShouldMatch(@"(?s).*/dev/pts/\d+.*");
        }

        var detached = f.Volt("exec", "-d", "box", "sleep", "4242");
        detached.Code.ShouldBe(0, detached.Err);
        var init = (await new Volt.Workloads.Containers.ContainerEngine(ContainerHost.Default(f.Paths)).WaitInitPidAsync("box", TimeSpan.FromSeconds(5))).ShouldNotBeNull();
        var ns = new FileInfo($"/proc/{init}/ns/pid").LinkTarget.ShouldNotBeNull();
        int? sleeper = null;
        await ContainerFixture.WaitFor(() => (sleeper = FindInNamespace(["sleep", "4242"], ns)) is not null, what: "the detached process");
        ProcFs.IsAlive(sleeper!.Value).ShouldBeTrue();
        Native.Kill(sleeper.Value, Native.SIGKILL);
        await ContainerFixture.WaitFor(() => !ProcFs.IsAlive(sleeper.Value), what: "the detached process to die");
        f.Volt("rm", "-f", "box").Code.ShouldBe(0);
    }

    private static int? FindInNamespace(string[] cmdline, string pidNs)
    {
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            if (!ProcFs.Cmdline(pid).SequenceEqual(cmdline)) continue;
            try { if (new FileInfo($"/proc/{pid}/ns/pid").LinkTarget == pidNs) return pid; }
            catch (IOException) { }
        }
        return null;
    }

    [Fact]
    public async Task Logs_are_stamped_per_line_and_select_by_tail_since_until()
    {
        using var f = new CliFixture();
        f.Volt("run", "-d", "--name", "box", f.Image, "sh", "-c", "echo one; echo two; sleep 1; echo three; exec sleep 1000").Code.ShouldBe(0);
        await ContainerFixture.WaitFor(() => File.Exists(f.Store.LogFile("box")) && File.ReadAllText(f.Store.LogFile("box")).Contains("three"), seconds: 30, what: "the log");
        var raw = File.ReadAllLines(f.Store.LogFile("box"));
        var lines = raw.Select(LogLine.Parse).Where(l => l.Text is "one" or "two" or "three").ToList();
        lines.Select(l => l.Text).ShouldBe(["one", "two", "three"]);
        lines.ShouldAllBe(l => l.Time != null, "voltd's writer stamps every line");
        (lines[2].Time - lines[1].Time)!.Value.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900));

        f.Volt("logs", "--tail", "1", "box").Out.ShouldBe("three\n");
        var since = f.Volt("logs", "--since", LogLine.Stamp(lines[1].Time!.Value), "box");
        since.Out.ShouldBe("two\nthree\n");
        f.Volt("logs", "--until", LogLine.Stamp(lines[1].Time!.Value), "box").Out.ShouldEndWith("one\ntwo\n");
        f.Volt("logs", "--since", "1h", "box").Out.ShouldEndWith("one\ntwo\nthree\n");
        var stamped = f.Volt("logs", "--timestamps", "--tail", "1", "box").Out;
        stamped.ShouldBe(raw.Last(l => l.EndsWith(" three")) + "\n");
        f.Volt("logs", "--since", "soon", "box").Code.ShouldBe(2);
        f.Volt("container", "rm", "-f", "box").Code.ShouldBe(0);
    }

    [Fact]
    public async Task Logs_follow_prints_new_lines_and_ends_when_the_container_stops()
    {
        using var f = new CliFixture();
        f.Volt("run", "-d", "--name", "ticker", f.Image, "sh", "-c", "i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done").Code.ShouldBe(0);
        using var follow = f.Start("logs", "-f", "ticker");
        var seen = new System.Text.StringBuilder();
        var gotTwo = new TaskCompletionSource();
        follow.OutputDataReceived += (_, e) => { lock (seen) { seen.AppendLine(e.Data); if (seen.ToString().Contains("tick2")) gotTwo.TrySetResult(); } };
        follow.BeginOutputReadLine();
        await gotTwo.Task.WaitAsync(TimeSpan.FromSeconds(60));
        follow.HasExited.ShouldBeFalse();
        f.Volt("stop", "ticker", "--time", "1").Code.ShouldBe(0);
        (await Task.Run(() => follow.WaitForExit(60_000))).ShouldBeTrue("follow ends when the container stops");
        follow.ExitCode.ShouldBe(0);
        lock (seen) seen.ToString().ShouldContain("tick0");
        f.Volt("rm", "ticker").Code.ShouldBe(0);
    }

    [Fact]
    public void Container_and_system_prune_remove_only_stopped_containers_and_df_counts_them()
    {
        using var f = new CliFixture();
        f.Volt("create", f.Image, "--name", "idle", "--", "true").Code.ShouldBe(0);
        f.Volt("run", "-d", "--name", "live", f.Image, "sleep", "1000").Code.ShouldBe(0);

        var df = JsonNode.Parse(f.Volt("system", "df", "-o", "json").Out)!.AsArray();
        var containers = df.Single(r => (string)r!["type"]! == "Containers")!;
        containers["total"]!.GetValue<long>().ShouldBe(2);
        containers["active"]!.GetValue<long>().ShouldBe(1);

        var refused = f.Volt("container", "prune");
        refused.Code.ShouldBe(2, "no terminal to ask on, no -f");
        refused.Err.ShouldContain("-f");
        f.Store.Names().Order().ShouldBe(["idle", "live"]);

        var pruned = f.Volt("container", "prune", "-f", "-o", "json");
        pruned.Code.ShouldBe(0, pruned.Err);
        JsonNode.Parse(pruned.Out)!["containers_removed"]!.AsArray().Select(n => (string)n!).ShouldBe(["idle"]);
        f.Store.Names().ShouldBe(["live"]);

        f.Volt("stop", "live", "--time", "1").Code.ShouldBe(0);
        var system = f.Volt("system", "prune", "-f", "-o", "json");
        system.Code.ShouldBe(0, system.Err);
        JsonNode.Parse(system.Out)!["containers_removed"]!.AsArray().Select(n => (string)n!).ShouldBe(["live"]);
        f.Store.Names().ShouldBeEmpty();
        Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, Volt.Workloads.Cgroups.CgroupDetector.ParentFor(f.Paths), "live"))
            .Where(Directory.Exists).ShouldBeEmpty();
    }
}
