using System.Text.Json.Nodes;
using Shouldly;
using Volt.Sandbox.Kernel;
using Volt.Sandbox.Tests.Support;
using Volt.Testing;
using Xunit;

namespace Volt.Sandbox.Tests.Workloads;

/// <summary>
/// Busybox containers (<c>--network none</c>: loopback only) on the real kernel: the helper runs inside, after
/// nspawn's setup, and execs the payload restricted.
/// </summary>
public sealed class SandboxedContainerTests(SandboxedWorkloadFixture f) : IClassFixture<SandboxedWorkloadFixture>
{
    private static void RequireLandlock(int abi = 1) => TestEnv.Require(LandlockAbi.Probe() >= abi, $"needs Landlock ABI {abi}");

    private string Ok((int Code, string Out, string Err) r)
    {
        r.Code.ShouldBe(0, r.Out + r.Err);
        return r.Out.Trim();
    }

    [Fact]
    public void Default_AWriteOutsideTheAllowedPathsFailsWithEACCES_APermittedOneSucceeds()
    {
        RequireLandlock();
        Ok(f.Run([], "/bin/probe", "write", "/etc/volt-x")).ShouldBe("EACCES");
        Ok(f.Run([], "/bin/probe", "write", "/tmp/volt-x")).ShouldBe("OK");
        File.Exists(Path.Combine(f.Image, "etc", "volt-x")).ShouldBeFalse();
    }

    [Fact]
    public void Default_MountPtraceKexecReboot_FailWithEPERM()
    {
        Ok(f.Run([], "/bin/probe", "syscalls")).ShouldBe("mount=EPERM ptrace=EPERM kexec_load=EPERM reboot=EPERM");
        // With every capability kept, strict still denies them: the filter answers, not the capability checks.
        Ok(f.Run(["--seccomp", "strict", "--cap-add", "ALL"], "/bin/probe", "syscalls")).ShouldBe("mount=EPERM ptrace=EPERM kexec_load=EPERM reboot=EPERM");
    }

    [Fact]
    public void PingAndRawSockets_FailWhenThePolicyDeniesTheNetwork()
    {
        RequireLandlock(4);
        var policy = f.Policy("""{"fs_read":["/"],"fs_execute":["/"],"fs_write":["/tmp","/dev/null"],"net_connect":[]}""");
        Ok(f.Run(["--landlock", policy, "--cap-add", "NET_RAW"], "/bin/probe", "raw")).ShouldBe("EACCES");
        f.Run(["--landlock", policy, "--cap-add", "NET_RAW"], "ping", "-c", "1", "-W", "1", "127.0.0.1").Code.ShouldNotBe(0);
        Ok(f.Run(["--landlock", "default", "--cap-add", "NET_RAW"], "/bin/probe", "raw")).ShouldBe("OK");
    }

    [Fact]
    public void TcpConnectToAPortOutsideNetConnect_Fails()
    {
        RequireLandlock(4);
        var policy = f.Policy("""{"net_connect":[80]}""");
        Ok(f.Run(["--landlock", policy], "/bin/probe", "connect", "9")).ShouldBe("EACCES");
        Ok(f.Run(["--landlock", policy], "/bin/probe", "connect", "80")).ShouldBe("ECONNREFUSED");
    }

    [Fact]
    public void CapabilitiesInProcSelfStatus_MatchTheRequest()
    {
        var none = Ok(f.Run([], "/bin/probe", "caps"));
        none.ShouldContain("CapEff:\t0000000000000000");
        none.ShouldContain("CapBnd:\t0000000000000000");
        none.ShouldContain("NoNewPrivs:\t1");
        var some = Ok(f.Run(["--cap-add", "NET_BIND_SERVICE", "--cap-add", "CHOWN"], "/bin/probe", "caps"));
        some.ShouldContain("CapEff:\t0000000000000401");
        some.ShouldContain("CapBnd:\t0000000000000401");
    }

    [Fact]
    public void Strict_WithARightBeyondThisKernelsAbi_RefusesToStart_Exit10()
    {
        var policy = f.Policy("""{"net_connect":["53/udp"]}""");
        var r = f.Run(["--landlock", policy, "--sandbox", "strict"], "/bin/probe", "caps");
        r.Code.ShouldBe(10, r.Out + r.Err);
        r.Err.ShouldContain("net.udp");
        r.Err.ShouldContain("ABI 10");
        r.Out.ShouldNotContain("CapEff");
    }

    [Fact]
    public void Unconfined_ChangesNothing_TheSameAsNspawnAlone()
    {
        var bare = TestEnv.Run("systemd-nspawn", "--register=no", "--keep-unit", "--quiet", "-D", f.Image, "--private-network", "--as-pid2", "--pipe", "--", "/bin/probe", "caps");
        bare.Code.ShouldBe(0, bare.Err);
        var r = Ok(f.Run(["--sandbox", "unconfined"], "/bin/probe", "caps"));
        r.ShouldBe(bare.Out.Trim());
        Ok(f.Run(["--sandbox", "unconfined"], "/bin/probe", "write", "/etc/volt-unconfined")).ShouldBe("OK");
        File.Delete(Path.Combine(f.Image, "etc", "volt-unconfined"));
    }

    [Fact]
    public void Inspect_ShowsRequestedEnforcedDropped_AndTheAuditLineSummarisesIt()
    {
        RequireLandlock();
        var policy = f.Policy("""{"fs_read":["/"],"fs_execute":["/"],"fs_write":["/tmp"],"net_bind":["5353/udp"]}""");
        Ok(f.Volt("container", "create", f.Image, "--name", "insp", "--landlock", policy, "--", "/bin/true"));
        Ok(f.Volt("container", "start", "insp"));
        var o = JsonNode.Parse(Ok(f.Volt("container", "inspect", "insp", "-o", "json")))!["sandbox"]!;
        o["landlock"]!.GetValue<string>().ShouldBe(policy);
        o["landlock_abi"]!.GetValue<int>().ShouldBe(LandlockAbi.Probe());
        o["requested"]!.AsArray().Select(x => x!.GetValue<string>()).ShouldContain("fs.write_file");
        o["enforced"]!.AsArray().Select(x => x!.GetValue<string>()).ShouldContain("fs.write_file");
        o["dropped"]!.AsArray().Select(x => x!["right"]!.GetValue<string>()).ShouldContain("net.udp");
        var audit = File.ReadAllLines(f.Paths.AuditLog).Last(l => l.Contains("\"container.start\""));
        audit.ShouldContain("net.udp needs ABI 10");
        Ok(f.Volt("container", "stop", "insp"));
        Ok(f.Volt("container", "delete", "insp"));
    }

    [Fact]
    public void BadPolicyAndUnknownCapability_AreRefusedAtCreate()
    {
        var bad = f.Policy("""{"fs_reed":["/"],"fs_write":["tmp","/no/such/dir"],"net_bind":[65536]}""");
        var r = f.Volt("container", "create", f.Image, "--name", "bad", "--landlock", bad);
        r.Code.ShouldBe(12, r.Err);
        r.Err.ShouldContain("fs_reed");
        r.Err.ShouldContain("\"tmp\" is not an absolute path");
        r.Err.ShouldContain("\"/no/such/dir\" does not exist");
        r.Err.ShouldContain("65536");
        f.Volt("container", "create", f.Image, "--name", "bad", "--cap-add", "NOT_A_CAP").Code.ShouldBe(2);
        var execve = f.Policy("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_ERRNO"}]}""");
        var s = f.Volt("container", "create", f.Image, "--name", "bad", "--seccomp", execve);
        s.Code.ShouldBe(12);
        s.Err.ShouldContain("blocks execve");
        f.Volt("container", "inspect", "bad").Code.ShouldBe(3);
    }
}
