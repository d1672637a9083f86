using System.Net;
using System.Net.Sockets;
using Shouldly;
using Volt.Core.Errors;
using Volt.Sandbox.Kernel;
using Volt.Sandbox.Planning;
using Volt.Sandbox.Tests.Support;
using Volt.Testing;
using Xunit;

namespace Volt.Sandbox.Tests.Kernel;

/// <summary>The helper on the real kernel (this host: Landlock ABI 7), run on the host with plans from the planner.</summary>
public sealed class HelperTests : IDisposable
{
    private readonly TempDir _dir = new("sandbox-helper");

    public void Dispose() => _dir.Dispose();

    private static void RequireLandlock(int abi = 1) => TestEnv.Require(LandlockAbi.Probe() >= abi, $"needs Landlock ABI {abi} (this kernel: {LandlockAbi.Probe()})");

    private string Policy(string json) => _dir.Write($"policy-{Guid.NewGuid():N}.json", json);

    private (int Code, string Out, string Err) Run(SandboxSpec spec, SandboxKind kind, params string[] command)
    {
        var plan = SandboxPlanner.Plan(spec, SandboxTarget.Host(kind), LandlockAbi.Probe(), _dir.Combine("etc"));
        var helper = SandboxHelper.Ensure(_dir.Combine("lib"));
        var file = SandboxHelper.WritePlan(_dir.Combine("run", Guid.NewGuid().ToString("N")), plan);
        return TestEnv.Run(helper, [file, .. command]);
    }

    private string Probe1(SandboxSpec spec, params string[] args)
    {
        var (code, o, e) = Run(spec, SandboxKind.Host, [Probe.Path, .. args]);
        code.ShouldBe(0, e);
        return o.Trim();
    }

    [Fact]
    public void Ensure_KeepsAnIdenticalHelper_AndRewritesOneThatDiffersInAnyByte()
    {
        var helper = SandboxHelper.Ensure(_dir.Combine("lib"));
        File.ReadAllBytes(helper).ShouldBe(SandboxHelper.Embedded());
        var inode = Core.IO.FileStat.Stat(helper).Inode;
        SandboxHelper.Ensure(_dir.Combine("lib")).ShouldBe(helper);
        Core.IO.FileStat.Stat(helper).Inode.ShouldBe(inode, "an identical helper is left as it is");
        foreach (var at in new[] { 0, SandboxHelper.Embedded().Length / 2, SandboxHelper.Embedded().Length - 1 })
        {
            var bytes = SandboxHelper.Embedded().ToArray();
            bytes[at] ^= 0x5A; // same length, one byte different
            File.WriteAllBytes(helper, bytes);
            SandboxHelper.Ensure(_dir.Combine("lib"));
            File.ReadAllBytes(helper).ShouldBe(SandboxHelper.Embedded(), $"byte {at} differed");
        }
        File.WriteAllBytes(helper, SandboxHelper.Embedded()[..^1]);
        SandboxHelper.Ensure(_dir.Combine("lib"));
        File.ReadAllBytes(helper).ShouldBe(SandboxHelper.Embedded(), "a shorter file is rewritten");
    }

    /// <summary>
    /// A helper compared once and unchanged since is not read again (a process launching many workloads); any change
    /// of the file after that — rewritten in place or replaced — is still noticed and repaired.
    /// </summary>
    [Fact]
    public void Ensure_AfterAVerifiedHelperChanges_RewritesIt()
    {
        var clock = SandboxHelper.UnixSecondsNow;
        SandboxHelper.UnixSecondsNow = () => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60; // every file "settled"
        try
        {
            var helper = SandboxHelper.Ensure(_dir.Combine("lib"));
            SandboxHelper.Ensure(_dir.Combine("lib")).ShouldBe(helper); // compared: now remembered by its stat
            var bytes = SandboxHelper.Embedded().ToArray();
            bytes[bytes.Length / 3] ^= 0x5A;
            // In place: same inode; one byte longer, so the stat differs even within one tick of the kernel's coarse
            // clock (a same-size write in that tick is what Settled() leaves to a full compare, and this clock skips).
            File.WriteAllBytes(helper, [.. bytes, 0]);
            SandboxHelper.Ensure(_dir.Combine("lib"));
            File.ReadAllBytes(helper).ShouldBe(SandboxHelper.Embedded(), "an in-place change after the compare");
            SandboxHelper.Ensure(_dir.Combine("lib"));
            File.WriteAllBytes(helper + ".new", bytes);
            File.Move(helper + ".new", helper, overwrite: true); // replaced: a new inode
            SandboxHelper.Ensure(_dir.Combine("lib"));
            File.ReadAllBytes(helper).ShouldBe(SandboxHelper.Embedded(), "a replacement after the compare");
        }
        finally { SandboxHelper.UnixSecondsNow = clock; }
    }

    /// <summary>A plan letting the probe write into <paramref name="writable"/> only (and read and run everything).</summary>
    private PlannedSandbox WritePlanFor(string writable) => PlannedSandbox.Of(SandboxPlanner.Plan(
        new SandboxSpec { Landlock = Policy($$"""{"fs_read":["/"],"fs_execute":["/"],"fs_write":["{{writable}}"]}"""), Seccomp = "unconfined" },
        SandboxTarget.Host(SandboxKind.Host), LandlockAbi.Probe(), _dir.Combine("etc")));

    private (int Code, string Out, string Err) RunWith(string? rulesetFrom, PlannedSandbox planFile, params string[] command)
    {
        var helper = SandboxHelper.Ensure(_dir.Combine("lib"));
        var file = SandboxHelper.WritePlan(_dir.Combine("run", Guid.NewGuid().ToString("N")), planFile);
        return TestEnv.Run(helper, rulesetFrom is null ? [file, .. command] : ["--ruleset-from", rulesetFrom, file, .. command]);
    }

    private static T Settled<T>(Func<T> body)
    {
        var clock = SandboxHelper.UnixSecondsNow;
        SandboxHelper.UnixSecondsNow = () => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60; // every directory "settled"
        try { return body(); }
        finally { SandboxHelper.UnixSecondsNow = clock; }
    }

    [Fact]
    public void A_ruleset_handed_over_by_descriptor_is_the_one_applied_and_the_plans_path_lines_are_skipped()
    {
        RequireLandlock();
        var first = Directory.CreateDirectory(_dir.Combine("first")).FullName;
        var second = Directory.CreateDirectory(_dir.Combine("second")).FullName;
        using var lease = Settled(() => new LandlockRulesets().Acquire(WritePlanFor(first))).ShouldNotBeNull();
        // The plan file names the other directory: with the handed-over ruleset its path lines are not used.
        var from = $"{Environment.ProcessId}:{lease.Fd}";
        RunWith(from, WritePlanFor(second), Probe.Path, "write", Path.Combine(first, "x")).Out.Trim().ShouldBe("OK");
        RunWith(from, WritePlanFor(second), Probe.Path, "write", Path.Combine(second, "x")).Out.Trim().ShouldBe("EACCES");
    }

    [Fact]
    public void A_descriptor_that_is_not_a_ruleset_or_cannot_be_had_leaves_the_helper_to_build_the_plans_rules()
    {
        RequireLandlock();
        var allowed = Directory.CreateDirectory(_dir.Combine("allowed")).FullName;
        var other = Directory.CreateDirectory(_dir.Combine("other")).FullName;
        using var notARuleset = File.OpenHandle(_dir.Write("plain", "x"));
        foreach (var from in new[] { $"{Environment.ProcessId}:{notARuleset.DangerousGetHandle()}", $"{Environment.ProcessId}:9999", "0:3", "junk" })
        {
            RunWith(from, WritePlanFor(allowed), Probe.Path, "write", Path.Combine(allowed, "x")).Out.Trim().ShouldBe("OK", from);
            RunWith(from, WritePlanFor(allowed), Probe.Path, "write", Path.Combine(other, "x")).Out.Trim().ShouldBe("EACCES", from);
        }
    }

    [Fact]
    public void The_ruleset_is_reused_until_a_rule_paths_directory_changes_and_a_replaced_one_lives_until_its_last_lease()
    {
        RequireLandlock();
        var allowed = Directory.CreateDirectory(_dir.Combine("tree", "allowed")).FullName;
        var plan = WritePlanFor(allowed);
        var cache = new LandlockRulesets();
        Settled(() =>
        {
            using var a = cache.Acquire(plan).ShouldNotBeNull();
            using (var b = cache.Acquire(plan).ShouldNotBeNull()) b.Fd.ShouldBe(a.Fd, "nothing changed: the same ruleset");
            Directory.CreateDirectory(_dir.Combine("tree", "new")); // the rule path's directory changed (its link count, times)
            using var c = cache.Acquire(plan).ShouldNotBeNull();
            c.Fd.ShouldNotBe(a.Fd, "built again");
            var old = $"/proc/self/fd/{a.Fd}";
            File.ResolveLinkTarget(old, false)!.FullName.ShouldContain("landlock-ruleset", Case.Sensitive, "the replaced one stays open for its lease");
            a.Dispose();
            (File.Exists(old) && File.ResolveLinkTarget(old, false)?.FullName.Contains("landlock-ruleset", StringComparison.Ordinal) == true)
                .ShouldBeFalse("closed with its last lease");
            using var d = cache.Acquire(plan).ShouldNotBeNull();
            d.Fd.ShouldBe(c.Fd);
            // Another plan (another service's profile) has its own, and neither pushes the other out.
            var otherPlan = WritePlanFor(Directory.CreateDirectory(_dir.Combine("tree", "other")).FullName);
            using var e = cache.Acquire(plan).ShouldNotBeNull(); // "other" changed tree/ again: built once more
            using var f = cache.Acquire(otherPlan).ShouldNotBeNull();
            f.Fd.ShouldNotBe(e.Fd);
            using (var g = cache.Acquire(plan).ShouldNotBeNull()) g.Fd.ShouldBe(e.Fd);
            using (var h = cache.Acquire(otherPlan).ShouldNotBeNull()) h.Fd.ShouldBe(f.Fd);
            return 0;
        });
    }

    [Fact]
    public void WriteOutsideTheAllowedPaths_FailsWithEACCES_APermittedWriteSucceeds()
    {
        RequireLandlock();
        var allowed = Directory.CreateDirectory(_dir.Combine("allowed")).FullName;
        var other = Directory.CreateDirectory(_dir.Combine("other")).FullName;
        var spec = new SandboxSpec { Landlock = Policy($$"""{"fs_read":["/"],"fs_execute":["/"],"fs_write":["{{allowed}}"]}"""), Seccomp = "unconfined" };
        Probe1(spec, "write", Path.Combine(allowed, "x")).ShouldBe("OK");
        Probe1(spec, "write", Path.Combine(other, "x")).ShouldBe("EACCES");
        File.Exists(Path.Combine(other, "x")).ShouldBeFalse();
        Probe1(SandboxSpec.Unconfined, "write", Path.Combine(other, "x")).ShouldBe("OK");
    }

    [Fact]
    public void TcpConnectToAPortOutsideNetConnect_Fails()
    {
        RequireLandlock(4);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var spec = new SandboxSpec { Landlock = Policy($$"""{"net_connect":[{{open}}]}"""), Seccomp = "unconfined" };
        Probe1(spec, "connect", open.ToString()).ShouldBe("OK");
        listener.Stop();
        Probe1(spec, "connect", "9").ShouldBe("EACCES");
        Probe1(SandboxSpec.Unconfined, "connect", "9").ShouldBe("ECONNREFUSED");
    }

    [Fact]
    public void DefaultSeccomp_MountPtraceKexecReboot_FailWithEPERM()
    {
        var all = new[] { "ALL" };
        Probe1(SandboxSpec.Default with { Landlock = "unconfined" }, "syscalls").ShouldBe("mount=EPERM ptrace=EPERM kexec_load=EPERM reboot=EPERM");
        // The filter, not the missing capabilities: strict denies them even with every capability kept...
        Probe1(new SandboxSpec { Landlock = "unconfined", Seccomp = "strict", CapAdd = all }, "syscalls").ShouldBe("mount=EPERM ptrace=EPERM kexec_load=EPERM reboot=EPERM");
        // ...and without a filter the same calls reach the kernel's own argument checks.
        var bare = Probe1(new SandboxSpec { Landlock = "unconfined", Seccomp = "unconfined", CapAdd = all }, "syscalls");
        bare.ShouldNotContain("mount=EPERM");
        bare.ShouldContain("reboot=EINVAL");
    }

    [Fact]
    public void RawAndUdpSockets_AreDeniedWhenThePolicyRestrictsTheNetwork()
    {
        RequireLandlock(4);
        var raw = new[] { "NET_RAW" };
        var spec = new SandboxSpec { Landlock = Policy("""{"net_connect":[]}"""), CapAdd = raw };
        Probe1(spec, "raw").ShouldBe("EACCES");
        Probe1(spec, "udp").ShouldBe("EACCES");
        Probe1(new SandboxSpec { Landlock = "unconfined", CapAdd = raw }, "raw").ShouldBe("OK");
    }

    [Fact]
    public void CapabilitiesInProcStatus_MatchTheRequest()
    {
        var status = Probe1(new SandboxSpec { CapAdd = ["NET_BIND_SERVICE"], Landlock = "unconfined" }, "caps");
        status.ShouldContain("CapEff:\t0000000000000400");
        status.ShouldContain("CapBnd:\t0000000000000400");
        status.ShouldContain("NoNewPrivs:\t1");
        status.ShouldContain("Seccomp:\t2");
        Probe1(SandboxSpec.Default with { Landlock = "unconfined" }, "caps").ShouldContain("CapEff:\t0000000000000000");
    }

    [Fact]
    public void AHostWorkloadUnderTheDefaultProfile_CannotReadEtcShadow()
    {
        RequireLandlock();
        TestEnv.Require(File.Exists("/etc/shadow"), "no /etc/shadow on this host");
        var (code, o, e) = Run(SandboxSpec.Default, SandboxKind.Service, Probe.Path, "read", "/etc/shadow");
        code.ShouldBe(0, e);
        o.Trim().ShouldBe("EACCES");
        Run(SandboxSpec.Default, SandboxKind.Service, Probe.Path, "read", "/etc/passwd").Out.Trim().ShouldBe("OK");
    }

    [Fact]
    public void Strict_WithARightBeyondThisKernelsAbi_RefusesWithExit10NamingTheRightAndAbi()
    {
        var spec = new SandboxSpec { Landlock = Policy("""{"net_connect":["53/udp"]}"""), Mode = SandboxMode.Strict };
        var e = Should.Throw<VoltException>(() => SandboxPlanner.Plan(spec, SandboxTarget.Host(), LandlockAbi.Probe(), _dir.Combine("etc")));
        e.Code.ShouldBe(ExitCode.Dependency);
        e.Message.ShouldContain("net.udp");
        e.Message.ShouldContain("ABI 10");
        var best = SandboxPlanner.Plan(spec with { Mode = SandboxMode.BestEffort }, SandboxTarget.Host(), LandlockAbi.Probe(), _dir.Combine("etc"));
        best.Report.Dropped.ShouldContain(d => d.Right == "net.udp" && d.NeedsAbi == 10);
        best.Report.Summary().ShouldContain("net.udp needs ABI 10");
    }

    [Fact]
    public void HelperProbe_ReportsTheSameAbiAsThePInvokeProbe()
    {
        var (_, o, _) = TestEnv.Run(SandboxHelper.Ensure(_dir.Combine("lib")), "--abi");
        int.Parse(o.Trim()).ShouldBe(LandlockAbi.Probe());
    }

    /// <summary>The log once it holds <paramref name="lines"/> lines (the stamper writes after the command's exit).</summary>
    private static string[] LogLines(string log, int lines)
    {
        string[] Read() => File.Exists(log) ? File.ReadAllLines(log) : [];
        System.Threading.SpinWait.SpinUntil(() => Read().Length >= lines, TimeSpan.FromSeconds(10));
        return Read();
    }

    private static readonly System.Text.RegularExpressions.Regex Stamp = new(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ");

    [Fact]
    public void ServiceMode_SaysOkThenExecsInASessionOfItsOwn_StampingStdoutStderrAndALastLineWithoutNewline()
    {
        var log = _dir.Combine("logs", "s.log");
        Directory.CreateDirectory(_dir.Combine("logs"));
        var (code, o, e) = TestEnv.Run(SandboxHelper.Ensure(_dir.Combine("lib")), "--service", log, "", "--", "--",
            "/bin/sh", "-c", "echo out; echo err >&2; set -- $(cat /proc/$$/stat); printf 'pid=%s sid=%s' $1 $6; exit 3");
        code.ShouldBe(3, e);
        o.ShouldBe("ok\n", "the handshake, then the command's output goes to the log");
        var lines = LogLines(log, 3);
        lines.Length.ShouldBe(3, string.Join("\n", lines));
        lines.ShouldAllBe(l => Stamp.IsMatch(l));
        lines.Select(l => Stamp.Replace(l, "")).Take(2).Order().ShouldBe(["err", "out"]);
        var ids = Stamp.Replace(lines[2], "").Split(' ');
        ids[0].ShouldStartWith("pid=");
        ids[1].ShouldBe("sid=" + ids[0][4..], "the command leads a session of its own (the PID the helper had)");
    }

    [Fact]
    public void ServiceMode_AFailedExecStartPre_IsLoggedAndIsTheExitCode_AnIgnoredOneIsNot()
    {
        var log = _dir.Combine("pre.log");
        var marker = _dir.Combine("main-ran");
        var (code, o, e) = TestEnv.Run(SandboxHelper.Ensure(_dir.Combine("lib")), "--service", log, "", "--",
            "pre", "1", "1", "/bin/false", "pre", "0", "3", "/bin/sh", "-c", "echo before; exit 4", "--", "/usr/bin/touch", marker);
        code.ShouldBe(4, e);
        o.ShouldBe("", "no ok: the start failed");
        File.Exists(marker).ShouldBeFalse();
        var lines = LogLines(log, 2).Select(l => Stamp.Replace(l, "")).ToList();
        lines.ShouldBe(["before", "volt: /bin/sh failed with exit code 4"]);
    }

    [Fact]
    public void ServiceMode_AWorkingDirectoryThatCannotBeEntered_Exits200BeforeAnyCommand()
    {
        var marker = _dir.Combine("ran");
        var (code, o, _) = TestEnv.Run(SandboxHelper.Ensure(_dir.Combine("lib")), "--service", _dir.Combine("wd.log"), _dir.Combine("missing"), "--",
            "pre", "0", "2", "/usr/bin/touch", marker, "--", "/bin/true");
        code.ShouldBe(200);
        o.ShouldBe("");
        File.Exists(marker).ShouldBeFalse();
    }
}
