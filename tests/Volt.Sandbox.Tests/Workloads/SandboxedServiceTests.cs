using System.Text.Json.Nodes;
using Shouldly;
using Volt.Sandbox.Kernel;
using Volt.Sandbox.Tests.Support;
using Volt.Testing;
using Volt.Workloads.Services;
using Xunit;

namespace Volt.Sandbox.Tests.Workloads;

/// <summary>A service under voltd (started on demand) runs its command through the same helper, on the host.</summary>
public sealed class SandboxedServiceTests(SandboxedWorkloadFixture f) : IClassFixture<SandboxedWorkloadFixture>
{
    private async Task<string> RunToExitAsync(string name, params string[] flags)
    {
        var store = new ServiceStore(f.Paths);
        var r = f.Volt(["service", "create", name, .. flags, "--now", "--", Probe.Path, "read", "/etc/shadow"]);
        r.Code.ShouldBe(0, r.Out + r.Err);
        for (var i = 0; i < 1500 && store.State(name).FinishedAt is null; i++) await Task.Delay(20);
        store.State(name).FinishedAt.ShouldNotBeNull();
        // The line stamper (the service's stdout reader) appends what the probe printed after its exit was recorded:
        // the log is read once the probe's one line is in (CI once read it empty, a moment too soon).
        var log = store.LogFile(name);
        for (var i = 0; i < 1500 && !(File.Exists(log) && File.ReadAllText(log).Contains('\n')); i++) await Task.Delay(20);
        return File.ReadAllText(log);
    }

    [Fact]
    public async Task AServiceUnderTheDefaultSandbox_CannotReadEtcShadow()
    {
        TestEnv.Require(LandlockAbi.Probe() >= 1, "needs Landlock");
        TestEnv.Require(File.Exists("/etc/shadow"), "no /etc/shadow on this host");
        (await RunToExitAsync("shadow")).ShouldContain("EACCES");
        var status = JsonNode.Parse(f.Volt("service", "status", "shadow", "-o", "json").Out)!["sandbox"]!;
        status["mode"]!.GetValue<string>().ShouldBe("best-effort");
        status["enforced"]!.AsArray().Select(x => x!.GetValue<string>()).ShouldContain("fs.read_file");
        (await RunToExitAsync("shadow-unconfined", "--sandbox", "unconfined")).ShouldContain("OK");
    }

    [Fact]
    public async Task AServiceStartedThroughVoltd_IsAuditedOnce_AndVoltdsLineCarriesTheSandboxSummary()
    {
        TestEnv.Require(LandlockAbi.Probe() >= 1, "needs Landlock");
        var store = new ServiceStore(f.Paths);
        f.Volt("service", "create", "audited", "--", Probe.Path, "read", "/etc/hostname").Code.ShouldBe(0);
        var before = File.Exists(f.Paths.AuditLog) ? File.ReadAllLines(f.Paths.AuditLog).Length : 0;
        var r = f.Volt("service", "start", "audited");
        r.Code.ShouldBe(0, r.Out + r.Err);
        for (var i = 0; i < 1500 && store.State("audited").FinishedAt is null; i++) await Task.Delay(20);
        var starts = File.ReadAllLines(f.Paths.AuditLog).Skip(before).Where(l => l.Contains("\"action\":\"service.start\"")).ToList();
        starts.Count.ShouldBe(1, string.Join('\n', starts));
        var line = JsonNode.Parse(starts[0])!;
        line["resource"]!.GetValue<string>().ShouldBe("audited");
        line["result"]!.GetValue<string>().ShouldBe("success");
        // The report's summary (mode, what is enforced and dropped) is in voltd's line, the only one.
        line["detail"]!.GetValue<string>().ShouldBe(Volt.Sandbox.SandboxHelper.ReadReport(store.Dir("audited"))!.Summary());
    }
}
