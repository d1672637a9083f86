using System.Net;
using System.Net.Sockets;
using Shouldly;
using Volt.Core.Processes;
using Volt.Daemon;
using Volt.Testing;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

/// <summary>The seed's signal table, sent with kill to the real servers (voltd, registry serve, gitops serve) started from the binary.</summary>
public sealed class ServerSignalsTests : IAsyncLifetime
{
    private const int SIGHUP = 1, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15;
    private readonly TempDir _dir = new();
    private string Root => _dir.Combine("root");

    public ValueTask InitializeAsync()
    {
        TestEnv.RequireRoot("voltd needs root for its cgroups");
        Directory.CreateDirectory(Root);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _cleanup) VoltBinary.Run(Root, "rm", "-f", name);
        // A CLI call after the test's voltd ended (a cleanup `rm -f` of a running container) started one on demand:
        // stop it by the PID it wrote, then remove the root.
        var pidFile = Path.Combine(Root, "var", "run", "volt", "volt.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid) && Directory.Exists($"/proc/{pid}"))
        {
            Volt.Workloads.Runtime.Native.Kill(pid, SIGTERM);
            for (var i = 0; i < 300 && Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(100);
            Volt.Workloads.Runtime.Native.Kill(pid, 9);
        }
        _dir.Dispose();
    }

    [Fact]
    public async Task Voltd_Sigusr1_WritesThreadsAndStateToItsLog_AndKeepsServing()
    {
        await using var voltd = new VoltdProcess(VoltBinary.Path, Root, _dir.Combine("daemon.log"));
        await voltd.StartAsync();
        voltd.Signal(SIGUSR1).ShouldBeTrue();
        var log = await VoltdProcess.WaitForTextAsync(voltd.Log, "=== end of voltd state dump ===");
        log.ShouldContain("=== voltd state dump (SIGUSR1), pid " + voltd.Pid);
        log.ShouldContain("containers running: 0");
        log.ShouldContain("--- threads (");
        log.ShouldContain("--- stacks ---");
        using var client = new DaemonClient(voltd.Socket);
        (await client.TryPingAsync()).ShouldNotBeNull().Pid.ShouldBe(voltd.Pid);
    }

    [Fact]
    public async Task Voltd_Sigusr2_AfterTheLogWasMoved_WritesToANewFile()
    {
        await using var voltd = new VoltdProcess(VoltBinary.Path, Root, _dir.Combine("daemon.log"));
        await voltd.StartAsync();
        var rotated = voltd.Log + ".1";
        File.Move(voltd.Log, rotated);
        voltd.Signal(SIGUSR2).ShouldBeTrue();
        await VoltdProcess.WaitForTextAsync(voltd.Log, "log files reopened (SIGUSR2)");
        var oldLength = new FileInfo(rotated).Length;
        voltd.Signal(SIGHUP).ShouldBeTrue();
        await VoltdProcess.WaitForTextAsync(voltd.Log, "(SIGHUP)");
        new FileInfo(rotated).Length.ShouldBe(oldLength);
        File.ReadAllText(rotated).ShouldNotContain("SIGHUP");
    }

    [Fact]
    public async Task Voltd_Sighup_ReloadsConfig_AndKeepsTheRunningOneWhenTheFileIsBad()
    {
        await using var voltd = new VoltdProcess(VoltBinary.Path, Root, _dir.Combine("daemon.log"));
        await voltd.StartAsync();
        voltd.Signal(SIGHUP).ShouldBeTrue();
        await VoltdProcess.WaitForTextAsync(voltd.Log, "configuration reloaded (SIGHUP)");
        var config = Path.Combine(Root, "etc", "volt", "config.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, "daemon:\n  socket_grup: volt\n");
        voltd.Signal(SIGHUP).ShouldBeTrue();
        var log = await VoltdProcess.WaitForTextAsync(voltd.Log, "SIGHUP reload failed, the running configuration is kept");
        log.ShouldContain("socket_grup");
        voltd.HasExited.ShouldBeFalse();
    }

    [Fact]
    public async Task Voltd_Sigterm_StopsAndRemovesItsSocket()
    {
        await using var voltd = new VoltdProcess(VoltBinary.Path, Root, _dir.Combine("daemon.log"));
        await voltd.StartAsync();
        (await voltd.StopAsync()).ShouldBe(0);
        File.Exists(voltd.Socket).ShouldBeFalse();
    }

    [Fact]
    public async Task Voltd_Sigterm_StopsItsContainersNewestFirst_AndRecordsThemStopped()
    {
        var rootfs = _dir.Combine("rootfs");
        BusyboxRootfs.Create(rootfs);
        await using var voltd = new VoltdProcess(VoltBinary.Path, Root, _dir.Combine("daemon.log"));
        await voltd.StartAsync();
        foreach (var name in new[] { "older", "newer" })
        {
            var run = VoltBinary.Run(Root, "run", "-d", "--network", "none", "--name", name, rootfs, "sleep", "300");
            run.Code.ShouldBe(0, run.Err);
        }
        (await voltd.StopAsync()).ShouldBe(0);
        var log = File.ReadAllText(voltd.Log);
        log.ShouldContain("voltd stopping: 2 container(s), newest first");
        var newer = log.IndexOf("Container newer exited", StringComparison.Ordinal);
        var older = log.IndexOf("Container older exited", StringComparison.Ordinal);
        newer.ShouldBeGreaterThan(0, log);
        older.ShouldBeGreaterThan(newer, "the newest container stops first");
        var ps = VoltBinary.Run(Root, "ps", "-o", "json");
        ps.Out.ShouldContain("\"older\"");
        ps.Out.ShouldNotContain("\"running\"", customMessage: ps.Out);
        foreach (var name in new[] { "older", "newer" }) VoltBinary.Run(Root, "rm", "-f", name);
    }

    [Fact]
    public async Task Voltd_Sigterm_WaitsForAContainerThatTakesSecondsToStop_AndExitsZero()
    {
        // The payload's TERM trap takes 4 s: longer than System.CommandLine's 2 s forced exit (143), which used to end
        // voltd in the middle of its shutdown.
        await using var voltd = await VoltdWithSlowStopperAsync("slow", "sleep 4; echo drained");
        (await voltd.StopAsync()).ShouldBe(0, File.ReadAllText(voltd.Log));
        File.ReadAllText(voltd.Log).ShouldContain("Container slow exited");
        (await WaitForLogAsync("slow", "drained")).ShouldContain("drained");
        var ps = VoltBinary.Run(Root, "ps", "-o", "json");
        ps.Out.ShouldContain("\"slow\"");
        ps.Out.ShouldNotContain("\"running\"", customMessage: ps.Out);
    }

    [Fact]
    public async Task Voltd_ASecondSigint_WhileItStopsSlowly_EndsItAtOnce()
    {
        const int SIGINT = 2;
        await using var voltd = await VoltdWithSlowStopperAsync("stubborn", "sleep 30");
        voltd.Signal(SIGINT).ShouldBeTrue();
        await VoltdProcess.WaitForTextAsync(voltd.Log, "voltd stopping");
        voltd.Signal(SIGINT).ShouldBeTrue(); // the impatient Ctrl+C
        (await voltd.WaitForExitAsync(TimeSpan.FromSeconds(20))).ShouldBe(128 + SIGINT, "the second SIGINT ends voltd, the payload's 30 s trap notwithstanding");
    }

    /// <summary>
    /// voltd with one running container whose TERM trap runs <paramref name="onTerm"/> (ignoring the SIGTERMs voltd
    /// re-sends meanwhile) and exits 0. DisposeAsync removes the container (starting a voltd on demand if needed) and
    /// stops any voltd left.
    /// </summary>
    private async Task<VoltdProcess> VoltdWithSlowStopperAsync(string name, string onTerm)
    {
        var rootfs = BusyboxRootfs.Create(_dir.Combine("rootfs"));
        var voltd = new VoltdProcess(VoltBinary.Path, Root, _dir.Combine("daemon.log"));
        await voltd.StartAsync();
        _cleanup.Add(name);
        var run = VoltBinary.Run(Root, "run", "-d", "--network", "none", "--name", name, rootfs,
            "sh", "-c", $"trap 'trap \"\" TERM; {onTerm}; exit 0' TERM; echo ready; while :; do sleep 1; done");
        run.Code.ShouldBe(0, run.Err);
        await WaitForLogAsync(name, "ready");
        return voltd;
    }

    private readonly List<string> _cleanup = [];

    private async Task<string> WaitForLogAsync(string container, string text)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var logs = VoltBinary.Run(Root, "logs", container);
            if (logs.Out.Contains(text, StringComparison.Ordinal)) return logs.Out;
            if (DateTime.UtcNow > until) throw new TimeoutException($"'{text}' not in {container}'s log: {logs.Out}{logs.Err}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Registry_Sigusr1Dumps_Sigusr2ReopensItsRequestLog_SigtermStops()
    {
        var port = FreePort();
        var stderr = _dir.Combine("registry.err");
        using var registry = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "exec \"$0\" registry serve --listen 127.0.0.1 --port \"$1\" 2>>\"$2\"", VoltBinary.Path, port.ToString(), stderr])
        {
            Environment = new Dictionary<string, string?> { ["VOLT_ROOT"] = Root, ["VOLT_COLOR"] = "never" },
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Closed,
        });
        try
        {
            await VoltdProcess.WaitForTextAsync(stderr, "Registry listening on");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            (await http.GetAsync("/v2/")).StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Unauthorized);

            registry.Signal(SIGUSR1).ShouldBeTrue();
            var err = await VoltdProcess.WaitForTextAsync(stderr, "=== end of registry state dump ===");
            err.ShouldContain("requests ");

            var requestLog = Path.Combine(Root, "var", "log", "volt", "registry.log");
            await VoltdProcess.WaitForTextAsync(requestLog, "GET /v2/");
            File.Move(requestLog, requestLog + ".1");
            registry.Signal(SIGUSR2).ShouldBeTrue();
            await VoltdProcess.WaitForTextAsync(stderr, "registry: log files reopened (SIGUSR2)");
            await http.GetAsync("/v2/_catalog");
            await VoltdProcess.WaitForTextAsync(requestLog, "GET /v2/_catalog");
            File.ReadAllText(requestLog + ".1").ShouldNotContain("_catalog");

            registry.Signal(SIGTERM).ShouldBeTrue();
            (await Task.Run(() => registry.WaitForExit(TimeSpan.FromSeconds(30)))).ShouldBeTrue();
        }
        finally { if (!registry.HasExited) registry.KillTree(); }
    }

    [Fact]
    public async Task Registry_Sighup_RereadsTheConfig_AndKeepsTheRunningOneWhenTheFileIsBad()
    {
        var port = FreePort();
        var stderr = _dir.Combine("registry-hup.err");
        var config = Path.Combine(Root, "etc", "volt", "config.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        using var registry = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "exec \"$0\" registry serve --listen 127.0.0.1 --port \"$1\" 2>>\"$2\"", VoltBinary.Path, port.ToString(), stderr])
        {
            Environment = new Dictionary<string, string?> { ["VOLT_ROOT"] = Root, ["VOLT_COLOR"] = "never" },
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Closed,
        });
        try
        {
            await VoltdProcess.WaitForTextAsync(stderr, "Registry listening on");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            (await http.GetAsync("/v2/_catalog")).StatusCode.ShouldBe(HttpStatusCode.OK); // anonymous pull: the default

            File.WriteAllText(config, "registry:\n  anonymous_pull: false\n");
            registry.Signal(SIGHUP).ShouldBeTrue();
            (await VoltdProcess.WaitForTextAsync(stderr, "registry: configuration reloaded (SIGHUP)")).ShouldContain("anonymous pull off");
            (await http.GetAsync("/v2/_catalog")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

            File.WriteAllText(config, "registry:\n  anonymous_pull: maybe\n");
            registry.Signal(SIGHUP).ShouldBeTrue();
            (await VoltdProcess.WaitForTextAsync(stderr, "SIGHUP reload failed, the running configuration is kept")).ShouldContain("config.yaml:2:");
            (await http.GetAsync("/v2/_catalog")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

            registry.Signal(SIGTERM).ShouldBeTrue();
            (await Task.Run(() => registry.WaitForExit(TimeSpan.FromSeconds(30)))).ShouldBeTrue();
        }
        finally { if (!registry.HasExited) registry.KillTree(); }
    }

    [Fact]
    public async Task GitOps_Sigusr1Dumps_Sigusr2ReopensItsLog_SighupRereadsPipelines_SigtermStops()
    {
        var create = VoltBinary.Run(Root, "gitops", "create", "--name", "web-app", "--repo", "git://127.0.0.1:1/web.git", "--provider", "github",
            "--branch", "main", "--workload", "web", "--secret", "s3cret");
        create.Code.ShouldBe(0, create.Err);
        var port = FreePort();
        var log = _dir.Combine("gitops.log");
        using var gitops = ProcessLauncher.Start(new ProcessSpec("/bin/sh", ["-c", "exec \"$0\" gitops serve --listen 127.0.0.1 --port \"$1\" 2>>\"$2\"", VoltBinary.Path, port.ToString(), log])
        {
            Environment = new Dictionary<string, string?> { ["VOLT_ROOT"] = Root, ["VOLT_COLOR"] = "never" },
            Stdin = ProcessInput.Closed, Stdout = ProcessOutput.Closed,
        });
        try
        {
            var started = await VoltdProcess.WaitForTextAsync(log, "GitOps server listening on");
            started.ShouldContain("[8001]"); // [LoggerMessage] lines carry their event id
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            (await http.GetStringAsync("/healthz")).Trim().ShouldBe("ok");

            gitops.Signal(SIGUSR1).ShouldBeTrue();
            var dump = await VoltdProcess.WaitForTextAsync(log, "=== end of gitops state dump ===");
            dump.ShouldContain("=== gitops state dump (SIGUSR1), pid " + gitops.Pid);
            dump.ShouldContain("deploying: none; waiting: none");
            dump.ShouldContain("--- threads (");
            (await http.GetStringAsync("/healthz")).Trim().ShouldBe("ok"); // still serving

            gitops.Signal(SIGHUP).ShouldBeTrue();
            (await VoltdProcess.WaitForTextAsync(log, "configuration reloaded (SIGHUP)")).ShouldContain("1 pipeline(s) (0 polled over SVN)");

            File.Move(log, log + ".1");
            gitops.Signal(SIGUSR2).ShouldBeTrue();
            await VoltdProcess.WaitForTextAsync(log, "gitops: log files reopened (SIGUSR2)");
            (await http.PostAsync("/hooks/github", new StringContent("{}"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            await VoltdProcess.WaitForTextAsync(log, "webhook github: 403 signature verification failed");
            File.ReadAllText(log + ".1").ShouldNotContain("webhook github: 403");

            gitops.Signal(SIGTERM).ShouldBeTrue();
            (await Task.Run(() => gitops.WaitForExit(TimeSpan.FromSeconds(30)))).ShouldBeTrue("gitops serve did not stop within 30 s of SIGTERM");
            gitops.ExitCode.ShouldBe(0);
            File.ReadAllText(log).ShouldContain("stopping: waiting for running deploys");
        }
        finally { if (!gitops.HasExited) gitops.KillTree(); }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
