using System.Diagnostics;
using Shouldly;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Runtime;
using Xunit;

namespace Volt.Workloads.Tests.Cgroups;

/// <summary>
/// The nspawn wrapper on this host's real cgroups (whichever driver is detected): it joins the group by itself,
/// waits at its gate, and runs the command only after <see cref="NspawnLaunch.Go"/>.
/// </summary>
public sealed class GatedLaunchTests : IDisposable
{
    private readonly TempDir _dir = new("gate");
    private readonly ICgroupDriver _driver;
    private readonly List<Process> _processes = [];
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public GatedLaunchTests()
    {
        TestEnv.RequireRoot("joins real cgroups");
        // A private root gets its own cgroup parent, removed afterwards.
        _driver = CgroupDetector.Detect(new Core.Paths.VoltPaths(_dir.Combine("root")));
    }

    private string Marker => _dir.Combine("ran");

    /// <summary>A gated launch of <c>sh -c SCRIPT</c> into group <c>g</c>; the script may touch <see cref="Marker"/>.</summary>
    private NspawnLaunch Launch(string script)
    {
        _driver.Create("g");
        var launch = NspawnLauncher.Start(["/bin/sh", "-c", script], _driver.JoinFiles("g"), _dir.Combine("log"));
        _processes.Add(launch.Process);
        return launch;
    }

    [Fact]
    public async Task A_gated_launch_joins_the_group_itself_and_runs_only_after_go()
    {
        var marker = Marker;
        var launch = Launch($"touch {marker}; exec sleep 30");
        for (var i = 0; i < 300 && !_driver.Pids("g").Contains(launch.Process.Id); i++) await Task.Delay(10, _ct);
        _driver.Pids("g").ShouldContain(launch.Process.Id, "the wrapper joins before the gate opens");
        await Task.Delay(100, _ct);
        File.Exists(marker).ShouldBeFalse("nothing runs before go");
        launch.Go();
        for (var i = 0; i < 300 && !File.Exists(marker); i++) await Task.Delay(10, _ct);
        File.Exists(marker).ShouldBeTrue();
        _driver.Pids("g").ShouldContain(launch.Process.Id, "the command runs as the same process, in the group");
    }

    [Fact]
    public async Task An_aborted_gated_launch_exits_125_without_running_the_command()
    {
        var marker = Marker;
        var launch = Launch($"touch {marker}");
        launch.Abort();
        await launch.Process.WaitForExitAsync(_ct);
        launch.Process.ExitCode.ShouldBe(125);
        File.Exists(marker).ShouldBeFalse();
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { p.Kill(); p.WaitForExit(5000); } catch (InvalidOperationException) { }
            p.Dispose();
        }
        for (var i = 0; i < 50 && _driver.Pids("g").Count > 0; i++) Thread.Sleep(20);
        _driver.Delete("g");
        Support.CgroupCleanup.RemoveParent(new Core.Paths.VoltPaths(_dir.Combine("root")));
        _dir.Dispose();
    }
}
