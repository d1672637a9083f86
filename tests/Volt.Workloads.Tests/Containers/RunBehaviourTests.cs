using System.Diagnostics;
using Shouldly;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Runtime;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Containers;

/// <summary>
/// <c>volt run</c> end to end (the binary, real nspawn): the command's arguments stay its own, shell exit codes for a
/// missing or non-executable command, a rootfs without /usr, signals forwarded to the payload, leftovers of a create
/// without a record removed by <c>delete -f</c>.
/// </summary>
public sealed class RunBehaviourTests
{
    [Fact]
    public void An_option_repeated_after_the_command_reaches_the_command()
    {
        using var f = new CliFixture();
        var r = f.Volt("run", "--rm", "-e", "A=1", f.Image, "sh", "-c", "echo \"$0,$1 B=$B\"", "-e", "B=2");
        r.Code.ShouldBe(0, r.Err);
        r.Out.ShouldBe("-e,B=2 B=\n");
    }

    [Fact]
    public void An_rm_containers_root_is_a_volatile_overlay_and_a_kept_containers_root_is_not()
    {
        using var f = new CliFixture();
        // --rm: deleted at exit, so overlayfs need not sync the host filesystem (at fsyncs, at the unmount).
        var rm = f.Volt("run", "--rm", f.Image, "cat", "/proc/self/mountinfo");
        rm.Code.ShouldBe(0, rm.Err);
        // Kernels show the option as "volatile" or (6.x) "fsync=volatile".
        RootSuperOptions(rm.Out).ShouldContain(o => o == "volatile" || o == "fsync=volatile");
        var kept = f.Volt("run", "--name", "kept", f.Image, "cat", "/proc/self/mountinfo");
        kept.Code.ShouldBe(0, kept.Err);
        RootSuperOptions(kept.Out).ShouldNotContain(o => o == "volatile" || o == "fsync=volatile");
        RootSuperOptions(kept.Out).ShouldContain(o => o.StartsWith("upperdir=", StringComparison.Ordinal));
    }

    /// <summary>The super options (after " - overlay overlay ") of the container's root mount, from its own mountinfo.</summary>
    private static string[] RootSuperOptions(string mountinfo)
    {
        var root = mountinfo.Split('\n').First(l => l.Split(' ') is { Length: > 4 } p && p[4] == "/" && l.Contains(" - overlay ", StringComparison.Ordinal));
        return root[(root.IndexOf(" - overlay ", StringComparison.Ordinal) + 11)..].Split(' ')[1].Split(',');
    }

    [Fact]
    public void A_missing_command_exits_127_and_a_non_executable_one_126_leaving_nothing()
    {
        using var f = new CliFixture();
        var missing = f.Volt("run", "--rm", f.Image, "/no/such/bin");
        missing.Code.ShouldBe(127, missing.Err);
        missing.Err.ShouldContain("/no/such/bin");
        f.Volt("run", "--rm", f.Image, "nosuchcmd").Code.ShouldBe(127);
        f.Volt("run", "--rm", f.Image, "/etc/passwd").Code.ShouldBe(126);
        f.Volt("run", "-d", "--name", "gone", f.Image, "/no/such/bin").Code.ShouldBe(127);
        f.Store.Names().ShouldBeEmpty();
        f.Volt("run", "--rm", f.Image, "sh", "-c", "exit 1").Code.ShouldBe(1, "the command's own codes are untouched");
    }

    [Fact]
    public void A_foreground_run_that_cannot_start_leaves_nothing_and_a_taken_name_is_left_alone()
    {
        using var f = new CliFixture();
        f.Volt("run", "--name", "once", f.Image, "/no/such/bin").Code.ShouldBe(127, "without --rm too, as run -d");
        f.Store.Names().ShouldBeEmpty();
        f.Volt("container", "create", f.Image, "--name", "taken", "--", "/bin/true").Code.ShouldBe(0);
        var again = f.Volt("run", "--rm", "--name", "taken", f.Image, "/bin/true");
        again.Code.ShouldBe(4, again.Err);
        f.Store.Names().ShouldBe(["taken"]);
        f.Store.State("taken").Status.ShouldBe(Volt.Workloads.Containers.ContainerStatus.Stopped);
        var ok = f.Volt("run", "--name", "kept", f.Image, "sh", "-c", "exit 3");
        ok.Code.ShouldBe(3, ok.Err);
        f.Store.State("kept").Status.ShouldBe(Volt.Workloads.Containers.ContainerStatus.Failed);
        f.Store.State("kept").ExitCode.ShouldBe(3);
    }

    [Fact]
    public void A_rootfs_without_usr_runs_and_an_unusable_one_says_why()
    {
        using var f = new CliFixture();
        Directory.Delete(Path.Combine(f.Image, "usr"), recursive: true);
        var r = f.Volt("run", "--rm", f.Image, "echo", "hi");
        r.Code.ShouldBe(0, r.Err);
        r.Out.ShouldBe("hi\n");
        Directory.Exists(Path.Combine(f.Image, "usr")).ShouldBeFalse("made in the container's upper dir, not the image");
        File.WriteAllText(Path.Combine(f.Image, "usr"), "not a directory");
        var d = f.Volt("run", "-d", "--name", "bad", f.Image, "sleep", "100");
        d.Code.ShouldBe(1, d.Err);
        d.Err.ShouldContain("OS tree");
        f.Store.Names().ShouldBeEmpty();
    }

    public static TheoryData<string, int> Signals => new() { { "INT", 2 }, { "TERM", 15 }, { "HUP", 1 }, { "QUIT", 3 }, { "USR1", 10 }, { "USR2", 12 } };

    [Theory]
    [MemberData(nameof(Signals))]
    public async Task A_signal_to_a_foreground_run_reaches_the_payload(string signal, int number)
    {
        using var f = new CliFixture();
        using var p = f.Start("run", "--rm", f.Image, "sh", "-c",
            $"trap 'echo got {signal}; exit 3' {signal}; echo ready; while true; do sleep 0.05; done");
        (await p.StandardOutput.ReadLineAsync()).ShouldBe("ready");
        Native.Kill(p.Id, number);
        (await p.StandardOutput.ReadLineAsync()).ShouldBe($"got {signal}");
        await p.WaitForExitAsync();
        p.ExitCode.ShouldBe(3, await p.StandardError.ReadToEndAsync());
        f.Store.Names().ShouldBeEmpty();
    }

    [Fact]
    public async Task Sigint_kills_an_untrapping_payload_and_volt_exits_130()
    {
        using var f = new CliFixture();
        using var p = f.Start("run", "--rm", f.Image, "sh", "-c", "echo ready; exec sleep 100");
        (await p.StandardOutput.ReadLineAsync()).ShouldBe("ready");
        // The payload is sleep after its exec: wait until it is, then interrupt.
        await ContainerFixture.WaitFor(() => f.Store.Names().Any(n => CgroupDetector.Detect(f.Paths).Pids(n)
            .Any(pid => ProcFs.Cmdline(pid) is ["sleep", "100"])), what: "sleep to run");
        Native.Kill(p.Id, 2);
        await p.WaitForExitAsync();
        p.ExitCode.ShouldBe(130, await p.StandardError.ReadToEndAsync());
    }

    [Fact]
    public void Delete_force_removes_the_leftovers_of_a_container_without_a_record()
    {
        using var f = new CliFixture();
        var cgroups = CgroupDetector.Detect(f.Paths);
        cgroups.Create("ghost"); // what a create killed before its first record leaves
        Directory.CreateDirectory(Path.GetDirectoryName(f.Store.UnitFile("ghost"))!);
        File.WriteAllText(f.Store.UnitFile("ghost"), "");
        f.Volt("container", "delete", "ghost").Code.ShouldBe(3, "without -f a missing record is not found");
        var r = f.Volt("container", "delete", "-f", "ghost");
        r.Code.ShouldBe(0, r.Err);
        cgroups.Exists("ghost").ShouldBeFalse();
        File.Exists(f.Store.UnitFile("ghost")).ShouldBeFalse();
        f.Volt("container", "delete", "-f", "ghost").Code.ShouldBe(3, "nothing left: not found");
    }
}

/// <summary><c>--user</c> end to end: numbers without a passwd entry, names from the image's files.</summary>
public sealed class RunUserTests
{
    [Theory]
    [InlineData("1234", "uid=1234 gid=0")]
    [InlineData("33:33", "uid=33 gid=33")]
    [InlineData("nobody", "uid=65534(nobody) gid=65534(nogroup)")]
    public void A_user_runs_the_command_as_that_uid_and_gid(string user, string expected)
    {
        using var f = new CliFixture();
        var r = f.Volt("run", "--rm", "--user", user, f.Image, "id");
        r.Code.ShouldBe(0, r.Err);
        r.Out.ShouldStartWith(expected);
        var d = f.Volt("run", "-d", "--name", "u", "--user", user, f.Image, "sh", "-c", "id > /tmp/id; exec sleep 100");
        d.Code.ShouldBe(0, d.Err);
        // The payload writes the file right after its start: wait for it inside the container.
        f.Volt("container", "exec", "u", "sh", "-c", "while [ ! -s /tmp/id ]; do sleep 0.05; done; cat /tmp/id").Out.ShouldStartWith(expected);
        f.Volt("container", "rm", "-f", "u").Code.ShouldBe(0);
    }
}
