using System.Net.Http;
using System.Net.Sockets;
using Shouldly;
using Volt.Core.Paths;
using Volt.Testing;
using Volt.Workloads.Cgroups;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Services;

/// <summary>
/// <c>volt service …</c> through the real binary on this host (no systemd as PID 1): voltd, started on demand, runs
/// the units. Disposing kills voltd and every service process by PID and removes the root's cgroups.
/// </summary>
public sealed class ServiceCliTests : IDisposable
{
    private readonly TempDir _dir = new("svc-cli");
    private readonly string _root;
    private readonly ServiceStore _store;

    public ServiceCliTests()
    {
        TestEnv.RequireRoot("services run in cgroups of their own");
        _root = _dir.Combine("root");
        _store = new ServiceStore(new VoltPaths(_root));
    }

    private (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(_root, args);

    private (int Code, string Out, string Err) Edit(string name, string editor) =>
        TestEnv.Run(VoltBinary.Path, ["service", "edit", name], new Dictionary<string, string> { ["VOLT_ROOT"] = _root, ["VOLT_COLOR"] = "never", ["EDITOR"] = editor }, null);

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task<string?> GetAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 500; i++)
        {
            try { return await http.GetStringAsync(url); }
            catch (HttpRequestException) { await Task.Delay(20); }
        }
        return null;
    }

    private async Task<ServiceState> WaitStateAsync(string name, Func<ServiceState, bool> done)
    {
        for (var i = 0; i < 1500; i++)
        {
            var s = _store.State(name);
            if (done(s)) return s;
            await Task.Delay(20);
        }
        return _store.State(name);
    }

    [Fact]
    public async Task Create_writes_the_unit_only_then_start_runs_an_http_server_that_answers_and_start_again_changes_nothing()
    {
        TestEnv.RequireTool("python3");
        var port = FreePort();
        var r = Volt("service", "create", "web", "--memory", "256M", "--restart", "on-failure", "--", "python3", "-m", "http.server", port.ToString(), "--bind", "127.0.0.1");
        r.Code.ShouldBe(0, r.Err);
        File.ReadAllText(_store.UnitFile("web")).ShouldContain("python3 -m http.server"); // resolved to its absolute path
        _store.State("web").Status.ShouldBe(WorkloadStatus.Stopped); // create does not start
        // ps's summary is recorded with the unit's stamp at create: ps stats the unit, it does not parse it.
        _store.State("web").Unit.ShouldNotBeNull().Stamp.ShouldBe(ServiceUnits.Stamp(_store.UnitFile("web")));
        _store.State("web").Unit!.Command.ShouldContain("http.server");

        Volt("service", "start", "web").Code.ShouldBe(0);
        (await GetAsync($"http://127.0.0.1:{port}/")).ShouldNotBeNull();
        var pid = _store.State("web").Pid;
        Volt("service", "start", "web").Code.ShouldBe(0);
        _store.State("web").Pid.ShouldBe(pid);

        var ps = Volt("ps");
        ps.Out.ShouldContain("web");
        ps.Out.ShouldContain("service");
        Volt("service", "list", "-o", "json").Out.ShouldContain("\"status\": \"running\"");
        Volt("service", "stop", "web").Code.ShouldBe(0);
        _store.State("web").Status.ShouldBe(WorkloadStatus.Stopped);
        Volt("service", "delete", "web").Code.ShouldBe(0);
        File.Exists(_store.UnitFile("web")).ShouldBeFalse();
    }

    [Fact]
    public void A_missing_or_not_executable_command_is_exit_3_naming_it_and_a_duplicate_is_exit_4_nothing_written()
    {
        var r = Volt("service", "create", "a", "--", "no-such-command-xyz");
        r.Code.ShouldBe(3);
        r.Err.ShouldContain("no-such-command-xyz");
        File.Exists(_store.UnitFile("a")).ShouldBeFalse();

        var notExec = _dir.Write("script.sh", "#!/bin/sh\necho hi\n");
        r = Volt("service", "create", "b", "--", notExec);
        r.Code.ShouldBe(3);
        r.Err.ShouldContain(notExec);
        File.Exists(_store.UnitFile("b")).ShouldBeFalse();

        Volt("service", "create", "c", "--", "sleep", "100").Code.ShouldBe(0);
        var before = File.ReadAllText(_store.UnitFile("c"));
        Volt("service", "create", "c", "--", "sleep", "200").Code.ShouldBe(4);
        File.ReadAllText(_store.UnitFile("c")).ShouldBe(before);
    }

    [Fact]
    public async Task Restart_always_on_a_command_that_exits_at_once_shows_restarting_and_backs_off()
    {
        Volt("service", "create", "crash", "--restart", "always", "--now", "--", "false").Code.ShouldBe(0);
        var s = await WaitStateAsync("crash", x => x.Status == WorkloadStatus.Restarting && x.Restart is { Attempt: >= 3 });
        s.Restart.ShouldNotBeNull().Attempt.ShouldBeGreaterThanOrEqualTo(3);
        Volt("service", "status", "crash").Out.ShouldContain("restarting");
        Volt("service", "stop", "crash").Code.ShouldBe(0);
        _store.State("crash").Status.ShouldBe(WorkloadStatus.Stopped);
    }

    [Fact]
    public async Task Edit_refuses_a_broken_unit_keeping_the_old_one_running_and_applies_a_good_one_with_a_restart()
    {
        var file = _dir.Combine("which.txt");
        Volt("service", "create", "ed", "--now", "--", "sh", "-c", $"echo first > {file}; exec sleep 300").Code.ShouldBe(0);
        var first = await WaitStateAsync("ed", x => x.Status == WorkloadStatus.Running && File.Exists(file));
        var unit = _store.UnitFile("ed");
        var old = File.ReadAllText(unit);

        var broken = _dir.Write("broken.sh", "#!/bin/sh\necho 'NoSuchDirective=1' >> \"$1\"\n");
        File.SetUnixFileMode(broken, (UnixFileMode)0x1ED);
        var r = Edit("ed", broken);
        r.Code.ShouldBe(12, r.Err);
        r.Err.ShouldContain("NoSuchDirective");
        File.ReadAllText(unit).ShouldBe(old);
        _store.State("ed").Pid.ShouldBe(first.Pid);
        ProcessIdentity.IsAlive(first.Pid, first.PidStartTime).ShouldBeTrue();

        var good = _dir.Write("good.sh", "#!/bin/sh\nsed -i 's/echo first/echo second/' \"$1\"\n");
        File.SetUnixFileMode(good, (UnixFileMode)0x1ED);
        r = Edit("ed", good);
        r.Code.ShouldBe(0, r.Err);
        File.ReadAllText(unit).ShouldContain("echo second");
        await WaitStateAsync("ed", x => x.Status == WorkloadStatus.Running && x.Pid != first.Pid && File.ReadAllText(file) == "second\n");
        File.ReadAllText(file).ShouldBe("second\n");
    }

    [Fact]
    public async Task The_gitops_server_installed_as_a_service_answers_healthz_after_service_start_and_edit_changes_its_port()
    {
        var port = FreePort();
        Volt("gitops", "install-service", "--port", port.ToString(), "--listen", "127.0.0.1").Code.ShouldBe(0);
        Volt("service", "list").Out.ShouldContain("volt-gitops");
        var r = Volt("service", "start", "volt-gitops");
        r.Code.ShouldBe(0, r.Err);
        (await GetAsync($"http://127.0.0.1:{port}/healthz")).ShouldNotBeNull();

        var next = FreePort();
        var editor = _dir.Write("port.sh", $"#!/bin/sh\nsed -i 's/--port {port}/--port {next}/' \"$1\"\n");
        File.SetUnixFileMode(editor, (UnixFileMode)0x1ED);
        r = Edit("volt-gitops", editor);
        r.Code.ShouldBe(0, r.Err);
        (await GetAsync($"http://127.0.0.1:{next}/healthz")).ShouldNotBeNull();
        Volt("service", "stop", "volt-gitops").Code.ShouldBe(0);
    }

    [Fact]
    public async Task Voltd_socket_activated_by_systemd_socket_activate_serves_cli_requests_on_the_handed_over_socket()
    {
        TestEnv.RequireTool("systemd-socket-activate");
        var sock = _dir.Combine("run", "activated.sock");
        Directory.CreateDirectory(Path.GetDirectoryName(sock)!);
        var r = Volt("daemon", "install-service", "--socket", sock);
        r.Code.ShouldBe(0, r.Err);
        File.ReadAllText(Path.Combine(_store.Paths.Units, "volt.socket")).ShouldContain($"ListenStream={sock}");
        File.ReadAllText(_store.UnitFile("volt")).ShouldContain(" daemon");
        Volt("service", "create", "tick", "--", "sleep", "1000").Code.ShouldBe(0);

        // systemd's own tool: listens, and on the first connection execs voltd with LISTEN_FDS=1 LISTEN_PID=<its pid>.
        var psi = new System.Diagnostics.ProcessStartInfo("systemd-socket-activate") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-l", sock, "-E", $"VOLT_ROOT={_root}", "-E", "VOLT_COLOR=never", "-E", $"PATH={Environment.GetEnvironmentVariable("PATH")}", VoltBinary.Path, "daemon" })
            psi.ArgumentList.Add(a);
        using var activator = System.Diagnostics.Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        activator.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        activator.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); }; // voltd's console log
        activator.BeginErrorReadLine();
        activator.BeginOutputReadLine();
        try
        {
            for (var i = 0; i < 500 && !File.Exists(sock); i++) await Task.Delay(10);
            File.Exists(sock).ShouldBeTrue("systemd-socket-activate did not listen");
            File.Exists(_store.Paths.PidFile).ShouldBeFalse("voltd must start only on the first connection");

            var env = new Dictionary<string, string> { ["VOLT_ROOT"] = _root, ["VOLT_COLOR"] = "never", ["VOLT_HOST"] = "unix://" + sock };
            r = TestEnv.Run(VoltBinary.Path, ["service", "start", "tick"], env, null);
            r.Code.ShouldBe(0, r.Err);
            _store.State("tick").Status.ShouldBe(WorkloadStatus.Running);
            int.Parse(File.ReadAllText(_store.Paths.PidFile).Trim()).ShouldBe(activator.Id); // the activator exec'd voltd
            string Log() { lock (log) return log.ToString(); }
            for (var i = 0; i < 500 && !Log().Contains("handed over by systemd", StringComparison.Ordinal); i++) await Task.Delay(10);
            Log().ShouldContain("listening on 1 socket(s) handed over by systemd");
            // The descriptor is close-on-exec: the service did not inherit voltd's listening socket.
            var fds = Directory.GetFiles($"/proc/{_store.State("tick").Pid}/fd").Select(f => new FileInfo(f).LinkTarget ?? "");
            fds.ShouldNotContain(t => t.StartsWith("socket:", StringComparison.Ordinal));

            TestEnv.Run(VoltBinary.Path, ["service", "start", "volt"], env, null).Code.ShouldBe(9); // voltd never runs voltd as a service
            r = TestEnv.Run(VoltBinary.Path, ["service", "stop", "tick"], env, null);
            r.Code.ShouldBe(0, r.Err);
            _store.State("tick").Status.ShouldBe(WorkloadStatus.Stopped);
            Runtime.Native.Kill(activator.Id, Runtime.Native.SIGTERM);
            await activator.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            activator.HasExited.ShouldBeTrue();
            File.Exists(sock).ShouldBeTrue("the socket file is systemd's: voltd leaves it");
        }
        finally
        {
            if (!activator.HasExited) activator.Kill();
        }
    }

    public void Dispose()
    {
        var paths = new VoltPaths(_root);
        if (File.Exists(paths.PidFile) && int.TryParse(File.ReadAllText(paths.PidFile).Trim(), out var d)) Runtime.Native.Kill(d, Runtime.Native.SIGKILL);
        var cgroups = CgroupDetector.Detect(paths);
        foreach (var n in _store.Names())
        {
            if (_store.State(n).Pid is { } p) Runtime.Native.Kill(p, Runtime.Native.SIGKILL);
            var cg = ServiceStore.CgroupName(n);
            if (cgroups.Exists(cg)) foreach (var p2 in cgroups.Pids(cg)) Runtime.Native.Kill(p2, Runtime.Native.SIGKILL);
        }
        Thread.Sleep(100);
        foreach (var n in _store.Names()) try { cgroups.Delete(ServiceStore.CgroupName(n)); } catch (IOException) { }
        CgroupCleanup.RemoveParent(paths);
        _dir.Dispose();
    }
}
