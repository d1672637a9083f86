using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Core.Processes;
using Volt.Testing;
using Volt.Vms.Machines;
using Xunit;

namespace Volt.Vms.Tests.Machines;

/// <summary>
/// <c>volt tune</c>'s own logic against a sysfs laid out in a temporary directory (the real one is the host's: CI must
/// not change it), and <c>volt vm update</c> / memory snapshots of a VM that is not running.
/// </summary>
public sealed class TunerTests : IDisposable
{
    private readonly TempDir _dir = new("vtune");
    private readonly VmStore _store;
    private readonly string _sys;
    private readonly Tuner _tuner;

    public TunerTests()
    {
        _store = new VmStore(new VoltPaths(_dir.Combine("root")));
        _sys = _dir.Combine("sys");
        Write("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "0\n");
        Write("block/vdb/queue/scheduler", "[mq-deadline] kyber bfq none\n");
        Write("devices/system/node/node0/cpulist", "0\n");
        _tuner = new Tuner(_store, new ProcessRunner(), _sys);
        _store.SaveConfig(new VmConfig { Name = "web", Cpus = 1, MemoryMiB = 256, Kernel = "minimal" });
    }

    private void Write(string rel, string text)
    {
        var f = Path.Combine(_sys, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(f)!);
        File.WriteAllText(f, text);
    }

    private string Read(string rel) => File.ReadAllText(Path.Combine(_sys, rel)).Trim();

    private TuneProfiles Profiles(params (string Name, string Text)[] files)
    {
        var p = new TuneProfiles(_tuner, _store);
        Directory.CreateDirectory(p.Dir);
        foreach (var (name, text) in files) File.WriteAllText(Path.Combine(p.Dir, name + TuneProfiles.Extension), text);
        return p;
    }

    [Fact]
    public async Task AProfile_AppliesEverySetting_IsJournaled_AndResetAllPutsTheHostBack()
    {
        var p = Profiles(("fast", "# latency\nhugepages 2M 64   # for big VMs\n\nio-scheduler /dev/vdb kyber\ncpu-pin web 0\n"));
        p.List().Single().Steps.Select(s => s.ToString()).ShouldBe(["hugepages 2M 64", "io-scheduler /dev/vdb kyber", "cpu-pin web 0"]);
        var lines = await p.ApplyAsync("fast");
        lines.Count.ShouldBe(3);
        Read("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages").ShouldBe("64");
        Read("block/vdb/queue/scheduler").ShouldBe("kyber");
        _store.Config("web").CpuPin.ShouldBe("0");
        _tuner.Journal().Profile.ShouldBe("fast");

        _tuner.ResetHost(null);
        await _tuner.UnpinAsync("web");
        Read("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages").ShouldBe("0");
        Read("block/vdb/queue/scheduler").ShouldBe("mq-deadline");
        _tuner.Journal().Profile.ShouldBeNull();
    }

    [Fact]
    public async Task AProfileWhoseStepFails_UndoesTheStepsBeforeIt_AndNamesTheLine()
    {
        _tuner.Hugepages("2M", 8); // tuned before the profile: the undo puts 8 back, keeping 0 as the host's original
        var p = Profiles(("broken", "hugepages 2M 64\ncpu-pin web 0\nio-scheduler nosuch none\n"));
        var e = await Should.ThrowAsync<VoltException>(() => p.ApplyAsync("broken"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("broken.tune:3: io-scheduler nosuch none");
        Read("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages").ShouldBe("8");
        _tuner.Journal().Entries.Single().ShouldSatisfyAllConditions(x => x.Original.ShouldBe("0"), x => x.Value.ShouldBe("8"));
        _store.Config("web").CpuPin.ShouldBeNull();
        _tuner.Journal().Profile.ShouldBeNull();
    }

    [Theory]
    [InlineData("hugepages 3M 1", "page size")]
    [InlineData("hugepages 2M lots", "count")]
    [InlineData("io-scheduler sda fastest", "scheduler")]
    [InlineData("cpu-pin web 9999", "CPU")]
    [InlineData("numa web x", "NUMA node")]
    [InlineData("overclock 5GHz", "unknown setting")]
    public void ABadLine_IsExit12_WithFileAndLine_BeforeAnythingChanges(string line, string says)
    {
        var p = Profiles(("bad", "hugepages 2M 64\n" + line + "\n"));
        var e = Should.Throw<VoltException>(() => p.Load("bad"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("bad.tune:2: ");
        e.Message.ShouldContain(says);
        Read("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages").ShouldBe("0");
    }

    [Fact]
    public async Task AnUnknownProfile_OrVm_IsExit3_NamingWhatThereIs()
    {
        var p = Profiles(("one", "cpu-pin nosuchvm 0\n"), ("two", ""));
        var e = Should.Throw<VoltException>(() => p.Load("three"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("profiles: one, two");
        (await Should.ThrowAsync<VoltException>(() => p.ApplyAsync("one"))).Message.ShouldContain("VM \"nosuchvm\" not found");
        (await p.ApplyAsync("two")).ShouldBeEmpty();
    }

    [Fact]
    public void HostSettings_AreChanged_ShownWithTheirEarlierValue_AndResetPutsThatBack()
    {
        _tuner.Hugepages("2M", 64).ShouldStartWith("2M hugepages: 64");
        _tuner.Hugepages("2M", 128);
        Read("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages").ShouldBe("128");
        _tuner.IoScheduler("/dev/vdb", "kyber").ShouldContain("was mq-deadline");
        Read("block/vdb/queue/scheduler").ShouldBe("kyber");

        var j = _tuner.Journal().Entries;
        j.Select(e => (e.Key, e.Original, e.Value)).ShouldBe([("hugepages-2M", "0", "128"), ("io:vdb", "mq-deadline", "kyber")]);

        _tuner.ResetHost("io:vdb").ShouldBe(["io:vdb: back to mq-deadline"]);
        Read("block/vdb/queue/scheduler").ShouldBe("mq-deadline");
        _tuner.ResetHost(null).ShouldBe(["hugepages-2M: back to 0"]);
        Read("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages").ShouldBe("0");
        _tuner.Journal().Entries.ShouldBeEmpty();
        Should.Throw<VoltException>(() => _tuner.ResetHost("io:vdb")).Code.ShouldBe(ExitCode.NotFound);
    }

    [Fact]
    public void BadHostTuning_IsRefused_WithTheRightCode_AndChangesNothing()
    {
        Should.Throw<VoltException>(() => _tuner.Hugepages("4M", 1)).Code.ShouldBe(ExitCode.Usage);
        Should.Throw<VoltException>(() => _tuner.Hugepages("1G", 1)).Code.ShouldBe(ExitCode.NotFound); // no 1G pages in this sysfs
        Should.Throw<VoltException>(() => _tuner.Hugepages("2M", -1)).Code.ShouldBe(ExitCode.Usage);
        Should.Throw<VoltException>(() => _tuner.IoScheduler("sdz", "none")).Code.ShouldBe(ExitCode.NotFound);
        Should.Throw<VoltException>(() => _tuner.IoScheduler("vdb", "cfq")).Code.ShouldBe(ExitCode.Usage);
        Should.Throw<VoltException>(() => _tuner.IoScheduler("../../etc", "none")).Code.ShouldBe(ExitCode.Usage);
        _tuner.Journal().Entries.ShouldBeEmpty();
    }

    [Fact]
    public async Task PinningAStoppedVm_IsKeptInItsConfig_ForTasksetAtItsNextStart_AndUnpinRemovesIt()
    {
        (await _tuner.PinAsync("web", "0")).ShouldContain("from its next start");
        _store.Config("web").CpuPin.ShouldBe("0");
        (await _tuner.NumaAsync("web", 0)).ShouldContain("CPUs 0");
        _store.Config("web").NumaNode.ShouldBe(0);
        var e = await Should.ThrowAsync<VoltException>(() => _tuner.NumaAsync("web", 7));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("node0");
        (await Should.ThrowAsync<VoltException>(() => _tuner.PinAsync("web", "0-x"))).Code.ShouldBe(ExitCode.Usage);
        (await Should.ThrowAsync<VoltException>(() => _tuner.PinAsync("web", $"{Environment.ProcessorCount}"))).Code.ShouldBe(ExitCode.Usage);
        (await Should.ThrowAsync<VoltException>(() => _tuner.PinAsync("nope", "0"))).Code.ShouldBe(ExitCode.NotFound);
        await _tuner.UnpinAsync("web");
        _store.Config("web").CpuPin.ShouldBeNull();
        _store.Config("web").NumaNode.ShouldBeNull();
    }

    [Fact]
    public async Task UpdatingAStoppedVm_SaysItAppliesAtTheNextStart_AndChecksFirst()
    {
        var up = new VmUpdater(_store);
        var r = await up.UpdateAsync("web", new VmUpdateRequest { Memory = "1G", Cpus = 2, Restart = "always" }, running: false);
        r.Notes.ShouldHaveSingleItem().ShouldContain("applies at its next start");
        var c = _store.Config("web");
        (c.MemoryMiB, c.Cpus, c.Restart).ShouldBe((1024L, 2, "always"));
        (await Should.ThrowAsync<VoltException>(() => up.UpdateAsync("web", new VmUpdateRequest { Cpus = 0 }, false))).Code.ShouldBe(ExitCode.Usage);
        (await Should.ThrowAsync<VoltException>(() => up.UpdateAsync("web", new VmUpdateRequest { Memory = "lots" }, false))).Code.ShouldBe(ExitCode.Usage);
        (await Should.ThrowAsync<VoltException>(() => up.UpdateAsync("web", new VmUpdateRequest { Restart = "sometimes" }, false))).Code.ShouldBe(ExitCode.Usage);
        _store.Config("web").MemoryMiB.ShouldBe(1024);
    }

    [Fact]
    public async Task AMemorySnapshotOfAStoppedVm_IsRefused_AndOneOfAnotherMachineShapeIsNotRestored()
    {
        var snaps = new VmSnapshots(_store, new ProcessRunner());
        (await Should.ThrowAsync<VoltException>(() => snaps.CreateWithMemoryAsync("web", "m", _ => false))).Code.ShouldBe(ExitCode.Conflict);
        // A memory snapshot taken when the VM had 1 vCPU and 256M; the VM has 2 vCPUs now.
        Directory.CreateDirectory(_store.Snapshots("web"));
        File.WriteAllText(snaps.File("web", "m"), "");
        File.WriteAllText(snaps.StateFile("web", "m"), "x");
        File.WriteAllBytes(snaps.MetaFile("web", "m"), System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new SnapshotMeta { Cpus = 1, MemoryMiB = 256, Kernel = "minimal" }, VmJson.Default.SnapshotMeta));
        _store.SaveConfig(_store.Config("web") with { Cpus = 2 });
        var e = await Should.ThrowAsync<VoltException>(() => snaps.RestoreAsync("web", "m", _ => false));
        e.Code.ShouldBe(ExitCode.Conflict);
        e.Message.ShouldContain("1 vCPU(s), 256M");
        File.Exists(VmSnapshots.IncomingNote(_store, "web")).ShouldBeFalse();
    }

    public void Dispose() => _dir.Dispose();
}
