using Shouldly;
using Volt.Core.Errors;
using Volt.Sandbox.Policy;
using Volt.Sandbox.Seccomp;
using Volt.Testing;
using Xunit;

namespace Volt.Sandbox.Tests.Unit;

public sealed class PolicyTests
{
    [Fact]
    public void PolicyWithTheDigestsKeys_Parses()
    {
        var p = LandlockPolicy.Parse("""{"fs_read":["/usr"],"fs_write":["/tmp"],"fs_execute":["/usr/bin"],"net_bind":[8080],"net_connect":[5432, "53/udp"]}""", "t");
        p.FsRead.ShouldBe(["/usr"]);
        p.FsWrite.ShouldBe(["/tmp"]);
        p.FsExecute.ShouldBe(["/usr/bin"]);
        p.NetBind.ShouldBe([new PortRule(8080, false)]);
        p.NetConnect.ShouldBe([new PortRule(5432, false), new PortRule(53, true)]);
        p.RestrictsFs.ShouldBeTrue();
        p.RestrictsNet.ShouldBeTrue();
    }

    [Fact]
    public void BadPolicy_NamesEveryProblemAtOnce_Exit12()
    {
        var e = Should.Throw<VoltException>(() => LandlockPolicy.Parse(
            """{"fs_reed":["/usr"],"fs_write":["tmp","/nope/missing"],"net_bind":[70000,-1],"net_connect":["x"]}""", "p.json",
            path => path != "/nope/missing"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("unknown key \"fs_reed\"");
        e.Message.ShouldContain("fs_write[0] \"tmp\" is not an absolute path");
        e.Message.ShouldContain("fs_write[1] \"/nope/missing\" does not exist");
        e.Message.ShouldContain("net_bind[0] port 70000 is out of range");
        e.Message.ShouldContain("net_bind[1] port -1 is out of range");
        e.Message.ShouldContain("net_connect[0] \"x\" is not a port");
    }

    [Fact]
    public void AbsentKeysLeaveAccessAlone_EmptyListsRestrict()
    {
        LandlockPolicy.Parse("{}", "t").IsUnconfined.ShouldBeTrue();
        var p = LandlockPolicy.Parse("""{"net_connect":[]}""", "t");
        p.RestrictsFs.ShouldBeFalse();
        p.RestrictsNet.ShouldBeTrue();
    }

    [Fact]
    public void NamedProfiles_AreShippedToEtcAndAnEditedFileWins()
    {
        using var dir = new TempDir("profiles");
        var etc = dir.Combine("etc");
        var d = LandlockProfiles.Resolve("default", etc, null);
        d.FsRead.ShouldBe(["/"]);
        d.PathsOptional.ShouldBeTrue();
        foreach (var n in LandlockProfiles.Names) File.Exists(Path.Combine(etc, "profiles", "landlock", n + ".json")).ShouldBeTrue();
        File.WriteAllText(Path.Combine(etc, "profiles", "landlock", "strict.json"), """{"fs_read":["/usr"]}""");
        LandlockProfiles.Resolve("strict", etc, null).FsRead.ShouldBe(["/usr"]);
        Should.Throw<VoltException>(() => LandlockProfiles.Resolve("nosuch", etc, null)).Code.ShouldBe(ExitCode.InvalidConfig);
    }

    [Fact]
    public void Capabilities_AddDropAll_UnknownIsUsageError()
    {
        Capabilities.Resolve([], []).ShouldBe(0UL);
        Capabilities.Format(Capabilities.Resolve(["NET_BIND_SERVICE", "cap_chown"], [])).ShouldBe("CAP_CHOWN,CAP_NET_BIND_SERVICE");
        Capabilities.Resolve(["ALL"], ["SYS_ADMIN"]).ShouldBe(Capabilities.All & ~(1UL << 21));
        Capabilities.Resolve(["NET_RAW"], ["ALL"]).ShouldBe(0UL);
        var e = Should.Throw<VoltException>(() => Capabilities.Resolve(["NET_BIND", "CHOWN", "FLY"], []));
        e.Code.ShouldBe(ExitCode.Usage);
        e.Message.ShouldContain("NET_BIND");
        e.Message.ShouldContain("FLY");
    }

    [Fact]
    public void SeccompFileThatBlocksExecve_IsRefusedBeforeStart()
    {
        var e = Should.Throw<VoltException>(() => SeccompProfile.Parse("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}""", "p.json"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("blocks execve");
        Should.Throw<VoltException>(() => SeccompProfile.Parse("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["execve"],"action":"SCMP_ACT_KILL"}]}""", "p.json"))
            .Message.ShouldContain("blocks execve");
    }

    [Fact]
    public void SeccompFile_UnknownSyscallsKeysAndArgs_AllNamed()
    {
        var e = Should.Throw<VoltException>(() => SeccompProfile.Parse(
            """{"defaultAction":"SCMP_ACT_ALLOW","bogus":1,"syscalls":[{"names":["mount","frobnicate"],"action":"SCMP_ACT_ERRNO","args":[{"index":0}]}]}""", "p.json"));
        e.Message.ShouldContain("unknown key \"bogus\"");
        e.Message.ShouldContain("unknown syscall \"frobnicate\"");
        e.Message.ShouldContain("argument conditions are not supported");
    }

    [Fact]
    public void DefaultSeccomp_DeniesMountPtraceKexecReboot_AndSysAdminReallowsMount()
    {
        var d = SeccompProfiles.Resolve("default", 0)!;
        foreach (var c in new[] { "mount", "ptrace", "kexec_load", "reboot", "io_uring_setup", "unshare" }) d.ActionFor(c).ShouldBe(SeccompAction.Errno, c);
        d.ActionFor("execve").ShouldBe(SeccompAction.Allow);
        d.ActionFor("read").ShouldBe(SeccompAction.Allow);
        (SyscallTable.X64.Count - d.Denied).ShouldBeGreaterThan(200);
        var admin = SeccompProfiles.Resolve("default", Capabilities.Resolve(["SYS_ADMIN"], []))!;
        admin.ActionFor("mount").ShouldBe(SeccompAction.Allow);
        admin.ActionFor("reboot").ShouldBe(SeccompAction.Errno);
        SeccompProfiles.Resolve("unconfined", 0).ShouldBeNull();
        SeccompProfiles.Resolve("strict", Capabilities.All)!.ActionFor("mount").ShouldBe(SeccompAction.Errno);
    }

    [Fact]
    public void BpfProgram_ChecksTheArchitectureFirst()
    {
        var bpf = SeccompProfiles.Resolve("default", 0)!.Compile();
        (bpf.Length % 8).ShouldBe(0);
        BitConverter.ToUInt16(bpf, 0).ShouldBe((ushort)0x20); // ld [arch]
        BitConverter.ToUInt32(bpf, 4).ShouldBe(4u);
        BitConverter.ToUInt32(bpf, 12).ShouldBe(0xC000003Eu); // AUDIT_ARCH_X86_64
        BitConverter.ToUInt32(bpf, bpf.Length - 4).ShouldBe(0x7fff0000u); // default allow
    }

    [Fact]
    public void Compose_KeysMapToTheSpec_AndUnknownOptionsAreNamed()
    {
        using var dir = new TempDir("compose");
        var s = SandboxSpec.FromCompose(["NET_BIND_SERVICE"], ["ALL"], ["seccomp=strict", "no-new-privileges:true"], new Dictionary<string, string> { ["landlock"] = "strict", ["mode"] = "strict" }, dir.Path);
        s.Seccomp.ShouldBe("strict");
        s.Landlock.ShouldBe("strict");
        s.Mode.ShouldBe(SandboxMode.Strict);
        s.CapAdd.ShouldBe(["NET_BIND_SERVICE"]);
        var e = Should.Throw<VoltException>(() => SandboxSpec.FromCompose(null, null, ["apparmor=x"], new Dictionary<string, string> { ["colour"] = "red" }, dir.Path));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("apparmor=x");
        e.Message.ShouldContain("colour");
        Should.Throw<VoltException>(() => SandboxSpec.FromCompose(["WINGS"], null, null, null, dir.Path)).Code.ShouldBe(ExitCode.Usage);
    }
}
