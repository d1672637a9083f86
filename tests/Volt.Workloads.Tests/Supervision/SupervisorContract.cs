using System.Net.Http;
using System.Net.Sockets;
using Shouldly;
using Volt.Core.Errors;
using Volt.Testing;
using Volt.Workloads.Logs;
using Volt.Workloads.Model;
using Volt.Workloads.Services;
using Xunit;

namespace Volt.Workloads.Tests.Supervision;

/// <summary>
/// The one contract every <see cref="IWorkloadSupervisor"/> passes, on real programs (python3's http.server on
/// 127.0.0.1, sleep, sh loops): voltd's own supervision on every host, systemd where it is PID 1. Units are written
/// the way <c>volt service create</c> writes them.
/// </summary>
public abstract class SupervisorContract : IDisposable
{
    protected SupervisorContract()
    {
        TestEnv.RequireRoot("services run in cgroups of their own");
        Dir = new TempDir("svc");
        Paths = new Core.Paths.VoltPaths(Dir.Combine("root"));
        Store = new ServiceStore(Paths);
        Engine = new ServiceEngine(Store);
    }

    protected TempDir Dir { get; }
    protected Core.Paths.VoltPaths Paths { get; }
    protected ServiceStore Store { get; }
    protected ServiceEngine Engine { get; }

    /// <summary>The supervisor under test (one instance per test).</summary>
    protected abstract IWorkloadSupervisor Supervisor { get; }

    /// <summary>A fresh instance of the same supervisor, as after a restart of voltd (the old one is gone without stopping anything).</summary>
    protected abstract IWorkloadSupervisor Reopen();

    /// <summary>Unique per test run: systemd's units are host-wide.</summary>
    protected string Name(string what) => $"vt-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    protected string Unit(string name, string service, string? unitSection = null) => Engine.Install(name,
        $"[Unit]\nDescription=contract {name}\n{unitSection}\n[Service]\n{service}\n").Pipe(_ => name);

    protected WorkloadInfo Status(string name) => Supervisor.Status(WorkloadKind.Service, name);

    /// <summary>Polls the supervisor's status until <paramref name="done"/> holds (30 s bound: a hang fails, it never passes).</summary>
    protected async Task<WorkloadInfo> WaitAsync(string name, Func<WorkloadInfo, bool> done, IWorkloadSupervisor? supervisor = null)
    {
        var s = supervisor ?? Supervisor;
        for (var i = 0; i < 1500; i++)
        {
            var w = s.Status(WorkloadKind.Service, name);
            if (done(w)) return w;
            await Task.Delay(20);
        }
        var last = s.Status(WorkloadKind.Service, name);
        done(last).ShouldBeTrue($"service {name} never reached the awaited state; last: {last}");
        return last;
    }

    protected async Task<string> LogTextAsync(string name, Func<string, bool> done)
    {
        for (var i = 0; i < 1500; i++)
        {
            var text = ReadLog(Supervisor.Logs(WorkloadKind.Service, name));
            if (done(text)) return text;
            await Task.Delay(20);
        }
        return ReadLog(Supervisor.Logs(WorkloadKind.Service, name));
    }

    private static string ReadLog(LogSource source)
    {
        if (source.File is { } f) return File.Exists(f) ? string.Join('\n', File.ReadAllLines(f).Select(l => LogLine.Parse(l).Text)) : "";
        return TestEnv.Run("journalctl", "-u", source.JournalUnit!, "--no-pager", "-o", "cat").Out;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Start_runs_the_units_command_records_its_pid_and_logs_its_output()
    {
        var name = Unit(Name("echo"), "ExecStart=/bin/sh -c 'echo hello from $$$$; exec sleep 300'\nTimeoutStopSec=5s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        var w = await WaitAsync(name, x => x.Status == WorkloadStatus.Running);
        w.Pid.ShouldNotBeNull();
        ProcessIdentity.StartTime(w.Pid!.Value).ShouldNotBeNull();
        (await LogTextAsync(name, t => t.Contains("hello from"))).ShouldContain($"hello from {w.Pid}");
        await Supervisor.StopAsync(WorkloadKind.Service, name);
    }

    [Fact]
    public async Task Start_of_a_running_service_succeeds_and_changes_nothing()
    {
        var name = Unit(Name("twice"), "ExecStart=/bin/sleep 300\nTimeoutStopSec=5s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        var first = await WaitAsync(name, x => x.Status == WorkloadStatus.Running);
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        Status(name).Pid.ShouldBe(first.Pid);
        ProcessIdentity.StartTime(first.Pid!.Value).ShouldNotBeNull();
        await Supervisor.StopAsync(WorkloadKind.Service, name);
    }

    [Fact]
    public async Task A_python_http_server_answers_on_127_0_0_1_and_stops_on_SIGTERM()
    {
        TestEnv.RequireTool("python3");
        var port = FreePort();
        var name = Unit(Name("http"), $"ExecStart=/usr/bin/python3 -m http.server {port} --bind 127.0.0.1 --directory /\nTimeoutStopSec=20s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? body = null;
        for (var i = 0; i < 300 && body is null; i++)
        {
            try { body = await http.GetStringAsync($"http://127.0.0.1:{port}/"); }
            catch (HttpRequestException) { await Task.Delay(20); }
        }
        body.ShouldNotBeNull().ShouldContain("Directory listing");
        var pid = Status(name).Pid!.Value;
        await Supervisor.StopAsync(WorkloadKind.Service, name);
        var w = Status(name);
        w.Status.ShouldBeOneOf(WorkloadStatus.Stopped, WorkloadStatus.Failed); // systemd: SIGTERM's exit counts as clean
        w.Pid.ShouldBeNull();
        ProcessIdentity.StartTime(pid).ShouldBeNull();
    }

    [Fact]
    public async Task Stop_kills_a_process_that_ignores_SIGTERM_after_the_timeout()
    {
        var name = Unit(Name("stubborn"), "ExecStart=/bin/sh -c 'trap \"\" TERM; echo ready; while :; do sleep 0.1; done'\nTimeoutStopSec=1s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        var pid = (await WaitAsync(name, x => x.Status == WorkloadStatus.Running)).Pid!.Value;
        await LogTextAsync(name, t => t.Contains("ready"));
        await Supervisor.StopAsync(WorkloadKind.Service, name);
        ProcessIdentity.StartTime(pid).ShouldBeNull();
        Status(name).Status.ShouldNotBe(WorkloadStatus.Running);
        Supervisor.Stats(WorkloadKind.Service, name).ShouldBeNull();
    }

    [Fact]
    public async Task Restart_always_on_a_command_that_exits_at_once_backs_off_and_never_spins()
    {
        var name = Unit(Name("crash"), "ExecStart=/bin/false\nRestart=always\nRestartSec=200ms");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        var w = await WaitAsync(name, x => x.Status == WorkloadStatus.Restarting && x.Restarts >= 3);
        w.Status.ShouldBe(WorkloadStatus.Restarting);
        // Three restarts of a command that exits at once wait RestartSec= before each at least (voltd doubles it on
        // every attempt, systemd 252 does not): a lower bound a slow machine only adds to, where a spin would have
        // restarted it three times in a few milliseconds.
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(3 * 200));
        await Supervisor.StopAsync(WorkloadKind.Service, name);
        Status(name).Status.ShouldBeOneOf(WorkloadStatus.Stopped, WorkloadStatus.Failed);
    }

    [Fact]
    public async Task Restart_on_failure_restarts_a_failing_command_but_not_a_clean_exit()
    {
        var failing = Unit(Name("fails"), "ExecStart=/bin/sh -c 'exit 3'\nRestart=on-failure\nRestartSec=100ms");
        var clean = Unit(Name("clean"), "ExecStart=/bin/sh -c 'exit 0'\nRestart=on-failure\nRestartSec=100ms");
        await Supervisor.StartAsync(WorkloadKind.Service, failing);
        await Supervisor.StartAsync(WorkloadKind.Service, clean);
        (await WaitAsync(failing, x => x.Restarts >= 2)).ExitCode.ShouldBe(3);
        var c = await WaitAsync(clean, x => x.Status is WorkloadStatus.Exited or WorkloadStatus.Stopped);
        c.ExitCode.ShouldBe(0);
        c.Restarts.ShouldBe(0);
        await Supervisor.StopAsync(WorkloadKind.Service, failing);
    }

    [Fact]
    public async Task ExecStartPre_runs_in_order_a_dash_ignores_its_failure_and_a_failure_without_it_fails_the_start()
    {
        var file = Dir.Combine("order.txt");
        var ok = Unit(Name("pre"), $"ExecStartPre=-/bin/false\nExecStartPre=/bin/sh -c 'echo one >> {file}'\nExecStartPre=/bin/sh -c 'echo two >> {file}'\n" +
            $"ExecStart=/bin/sh -c 'echo main >> {file}; exec sleep 300'\nTimeoutStopSec=5s");
        await Supervisor.StartAsync(WorkloadKind.Service, ok);
        await WaitAsync(ok, x => x.Status == WorkloadStatus.Running && File.Exists(file) && File.ReadAllText(file).Contains("main"));
        File.ReadAllLines(file).ShouldBe(["one", "two", "main"]);
        await Supervisor.StopAsync(WorkloadKind.Service, ok);

        var marker = Dir.Combine("never.txt");
        var bad = Unit(Name("prefail"), $"ExecStartPre=/bin/sh -c 'exit 4'\nExecStart=/bin/sh -c 'touch {marker}; exec sleep 300'");
        await Should.ThrowAsync<VoltException>(() => Supervisor.StartAsync(WorkloadKind.Service, bad));
        (await WaitAsync(bad, x => x.Status == WorkloadStatus.Failed)).Pid.ShouldBeNull();
        File.Exists(marker).ShouldBeFalse();
    }

    [Fact]
    public async Task A_start_held_by_its_ExecStartPre_is_starting_until_the_command_runs()
    {
        var gate = Dir.Combine("gate");
        var name = Unit(Name("slowpre"), $"ExecStartPre=/bin/sh -c 'while [ ! -e {gate} ]; do sleep 0.05; done'\nExecStart=/bin/sleep 300\nTimeoutStopSec=5s");
        var start = Supervisor.StartAsync(WorkloadKind.Service, name);
        (await WaitAsync(name, x => x.Status == WorkloadStatus.Starting)).Status.ShouldBe(WorkloadStatus.Starting);
        start.IsCompleted.ShouldBeFalse("the start returns once ExecStart runs");
        File.WriteAllText(gate, "");
        await start;
        (await WaitAsync(name, x => x.Status == WorkloadStatus.Running)).Pid.ShouldNotBeNull();
        await Supervisor.StopAsync(WorkloadKind.Service, name);
    }

    [Fact]
    public async Task User_environment_environment_file_and_working_directory_reach_the_process()
    {
        var work = Dir.Combine("work");
        Directory.CreateDirectory(work);
        File.SetUnixFileMode(Dir.Path, (UnixFileMode)0x1FF);
        File.SetUnixFileMode(work, (UnixFileMode)0x1FF);
        var env = Dir.Write("app.env", "# comment\nB=from-file\nC=\"quoted value\"\n");
        var name = Unit(Name("env"), "User=nobody\nEnvironment=A=one B=overridden\nEnvironmentFile=" + env +
            "\nEnvironmentFile=-/nonexistent/optional.env\nWorkingDirectory=" + work +
            "\nExecStart=/bin/sh -c 'echo \"$$A|$$B|$$C|$$(pwd)|$$(id -un)|$$HOME\" > out.txt; exec sleep 300'\nTimeoutStopSec=5s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        var out_ = Path.Combine(work, "out.txt");
        await WaitAsync(name, _ => File.Exists(out_) && File.ReadAllText(out_).EndsWith('\n'));
        File.ReadAllText(out_).Trim().ShouldStartWith($"one|from-file|quoted value|{work}|nobody|");
        await Supervisor.StopAsync(WorkloadKind.Service, name);
    }

    [Fact]
    public async Task Memory_cpu_and_tasks_limits_are_the_cgroups_and_stats_count_its_tasks()
    {
        var name = Unit(Name("limits"), "ExecStart=/bin/sleep 300\nMemoryMax=64M\nCPUQuota=50%\nTasksMax=32\nTimeoutStopSec=5s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        await WaitAsync(name, x => x.Status == WorkloadStatus.Running);
        var stats = Supervisor.Stats(WorkloadKind.Service, name).ShouldNotBeNull();
        stats.Tasks.ShouldBeGreaterThanOrEqualTo(1);
        stats.MemoryLimitBytes.ShouldBe(64L << 20);
        await Supervisor.StopAsync(WorkloadKind.Service, name);
    }

    [Fact]
    public async Task A_new_supervisor_instance_re_adopts_a_running_service_and_can_stop_it()
    {
        var name = Unit(Name("adopt"), "ExecStart=/bin/sleep 300\nTimeoutStopSec=5s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        var pid = (await WaitAsync(name, x => x.Status == WorkloadStatus.Running)).Pid;
        var next = Reopen();
        await next.AdoptAsync();
        var w = next.Status(WorkloadKind.Service, name);
        w.Status.ShouldBe(WorkloadStatus.Running);
        w.Pid.ShouldBe(pid);
        await next.StopAsync(WorkloadKind.Service, name);
        next.Status(WorkloadKind.Service, name).Status.ShouldNotBe(WorkloadStatus.Running);
        ProcessIdentity.StartTime(pid!.Value).ShouldBeNull();
    }

    [Fact]
    public async Task Restart_reads_the_unit_again()
    {
        var file = Dir.Combine("which.txt");
        var name = Unit(Name("edit"), $"ExecStart=/bin/sh -c 'echo first > {file}; exec sleep 300'\nTimeoutStopSec=5s");
        await Supervisor.StartAsync(WorkloadKind.Service, name);
        await WaitAsync(name, _ => File.Exists(file) && File.ReadAllText(file) == "first\n");
        Engine.Replace(name, $"[Service]\nExecStart=/bin/sh -c 'echo second > {file}; exec sleep 300'\nTimeoutStopSec=5s\n");
        await Supervisor.ReloadAsync();
        await Supervisor.RestartAsync(WorkloadKind.Service, name);
        await WaitAsync(name, _ => File.ReadAllText(file) == "second\n");
        await Supervisor.StopAsync(WorkloadKind.Service, name);
    }

    public virtual void Dispose()
    {
        foreach (var n in Store.Names())
        {
            var s = Store.State(n);
            if (s.Pid is { } p && ProcessIdentity.IsAlive(p, s.PidStartTime)) TestEnv.Run("kill", "-9", p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        GC.SuppressFinalize(this);
    }
}

internal static class PipeExtensions
{
    public static TOut Pipe<TIn, TOut>(this TIn value, Func<TIn, TOut> f) => f(value);
}
