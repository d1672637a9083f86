using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Shouldly;
using Volt.Core.Errors;
using Volt.Daemon;
using Volt.Hosting;
using Volt.Workloads.Containers;
using Volt.Workloads.Tests.Support;
using Xunit;

namespace Volt.Workloads.Tests.Daemon;

/// <summary>
/// voltd's contract against a real voltd (in this process, on a temp unix socket, running real containers): every
/// declared route answers through the typed client with its declared types; errors come back as the exit code and
/// message the handler raised. The <c>service</c> kind here is a handler that records its calls (the dispatch to a
/// plugged-in kind is what is tested; the real service handler has tests of its own).
/// </summary>
public sealed class DaemonContractTests
{
    /// <summary>A plugged-in kind that records calls; a name <c>fail-N</c> raises exit code N, <c>bug</c> a non-Volt exception.</summary>
    private sealed class RecordingHandler(string kind) : IWorkloadHandler
    {
        public readonly ConcurrentQueue<string> Calls = new();
        public string Kind => kind;

        private Task Do(string what, string name)
        {
            Calls.Enqueue($"{what} {name}");
            if (name.StartsWith("fail-", StringComparison.Ordinal)) throw new VoltException((ExitCode)int.Parse(name[5..]), $"{kind} {name} refused to {what.Split(' ')[0]}");
            if (name == "bug") throw new InvalidOperationException("a handler bug");
            return Task.CompletedTask;
        }

        public Task StartAsync(string name, CancellationToken ct) => Do("start", name);
        public Task StopAsync(string name, TimeSpan? timeout, CancellationToken ct) => Do($"stop {Shown(timeout)}", name);
        public Task RestartAsync(string name, TimeSpan? timeout, CancellationToken ct) => Do($"restart {Shown(timeout)}", name);
        private static string Shown(TimeSpan? t) => t is { } x ? x.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) : "default";
        public Task<IReadOnlyList<WorkloadSummary>> ListAsync(CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<WorkloadSummary>>([new(kind, "web", "running", "web.service", 4242, DateTimeOffset.UnixEpoch), new(kind, "worker", "stopped", "worker.service")]);
    }

    /// <summary>A real voltd on a socket of its own; disposing stops it (SIGTERM's path) and then the fixture cleans up.</summary>
    private sealed class Voltd : IAsyncDisposable
    {
        public readonly ContainerFixture F = new();
        public readonly RecordingHandler Services = new(WorkloadKinds.Service);
        public readonly TaskWorkloadHandler Tasks;
        public readonly DaemonClient Client;
        public readonly string Socket;
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;

        public Voltd(bool blocking = false)
        {
            Socket = F.Dir.Combine("voltd.sock");
            Client = new DaemonClient(Socket, blocking);
            Tasks = new TaskWorkloadHandler(new Volt.Workloads.Tasks.TaskStore(F.Paths), F.Host.Cgroups, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        }

        public async Task StartAsync()
        {
            _run = Task.Run(() => VoltDaemon.RunAsync(new DaemonOptions { Host = F.Host, SocketPath = Socket, Workloads = [Services, Tasks] }, _stop.Token));
            while (await Client.TryPingAsync() is null)
            {
                if (_run.IsCompleted) await _run; // voltd failed to start: its exception
                await Task.Delay(20);
            }
        }

        /// <summary>One raw request; the status and body as sent.</summary>
        public async Task<(int Status, string Body)> RawAsync(string method, string target, string content = "")
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket));
            await s.SendAsync(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: voltd\r\nConnection: close\r\nContent-Length: {Encoding.UTF8.GetByteCount(content)}\r\n\r\n{content}"));
            using var ms = new MemoryStream();
            var buffer = new byte[8192];
            int n;
            while ((n = await s.ReceiveAsync(buffer)) > 0) ms.Write(buffer, 0, n);
            var (status, body) = HttpResponseParser.Parse(ms.ToArray());
            return (status, Encoding.UTF8.GetString(body));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try { await _run; } catch (OperationCanceledException) { }
            Client.Dispose();
            await F.DisposeAsync();
        }
    }

    [Fact]
    public void Every_route_field_is_in_the_table_and_no_two_rows_match_the_same_request()
    {
        var fields = typeof(DaemonRoutes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => typeof(DaemonRoute).IsAssignableFrom(f.FieldType)).Select(f => (DaemonRoute)f.GetValue(null)!).ToList();
        fields.ShouldBe(DaemonRoutes.All, ignoreOrder: true);
        DaemonRoutes.All.Select(r => r.Name).ShouldBeUnique();
        _ = new DaemonDispatcher(null!); // the constructor refuses overlapping rows
    }

    [Fact]
    public void A_table_with_two_rows_for_the_same_requests_is_refused()
    {
        var twin = new DaemonRoute<Empty, Empty>("Twin", "POST", "/v1/workloads/{k}/{n}/start", null, null, static (_, _, _, _) => Task.FromResult(Empty.Value));
        Should.Throw<ArgumentException>(() => new DaemonDispatcher(null!, [.. DaemonRoutes.All, twin])).Message.ShouldContain("StartWorkload");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the CLI's one-call-at-a-time client: blocking socket calls on the caller's thread
    public async Task Every_declared_route_is_reachable_through_the_typed_client_and_answers_its_declared_types(bool blocking)
    {
        await using var d = new Voltd(blocking);
        await d.StartAsync();
        var c = d.Client;
        var calls = new List<(DaemonRoute Route, Func<Task> Call)>
        {
            (DaemonRoutes.Ping, async () =>
            {
                var ping = (await c.TryPingAsync()).ShouldNotBeNull();
                ping.Pid.ShouldBe(Environment.ProcessId);
                ping.Kinds.ShouldBe([WorkloadKinds.Container, WorkloadKinds.Service, WorkloadKinds.Task]);
            }),
            (DaemonRoutes.CreateContainer, async () =>
            {
                await c.CreateAndStartAsync(new CreateRequest { Name = "api", Image = d.F.Image, Command = ["sleep", "100"] });
                d.F.Engine.View("api").Status.ShouldBe(ContainerStatus.Running);
                (await c.TryPingAsync())!.Running.ShouldBe(["api"]);
            }),
            (DaemonRoutes.StopContainer, async () =>
            {
                await c.StopAsync("api", TimeSpan.FromSeconds(2));
                d.F.Engine.View("api").Status.ShouldBe(ContainerStatus.Stopped);
            }),
            (DaemonRoutes.StartContainer, async () =>
            {
                await c.StartAsync("api");
                d.F.Engine.View("api").Status.ShouldBe(ContainerStatus.Running);
            }),
            (DaemonRoutes.ListWorkloads, async () =>
            {
                var all = await c.ListWorkloadsAsync();
                all.Select(w => $"{w.Kind} {w.Name} {w.Status}").ShouldBe(["container api running", "service web running", "service worker stopped"]);
                all[0].Pid.ShouldBe(d.F.Store.State("api").Pid);
                all[0].Unit.ShouldBe("volt-container@api.service");
                all[1].ShouldBe(new WorkloadSummary("service", "web", "running", "web.service", 4242, DateTimeOffset.UnixEpoch));
            }),
            (DaemonRoutes.ListWorkloadsOfKind, async () =>
            {
                (await c.ListWorkloadsAsync(WorkloadKinds.Service)).Select(w => w.Name).ShouldBe(["web", "worker"]);
                (await c.ListWorkloadsAsync(WorkloadKinds.Container)).Select(w => w.Name).ShouldBe(["api"]);
            }),
            (DaemonRoutes.StopWorkload, async () =>
            {
                await c.StopWorkloadAsync(WorkloadKinds.Service, "web", TimeSpan.FromSeconds(1.5));
                await c.StopWorkloadAsync(WorkloadKinds.Service, "web"); // no timeout: the kind's own default (a service's unit)
                await c.StopWorkloadAsync(WorkloadKinds.Container, "api", TimeSpan.FromSeconds(2));
                d.F.Engine.View("api").Status.ShouldBe(ContainerStatus.Stopped);
            }),
            (DaemonRoutes.StartWorkload, async () =>
            {
                await c.StartWorkloadAsync(WorkloadKinds.Service, "web");
                await c.StartWorkloadAsync(WorkloadKinds.Container, "api");
                d.F.Engine.View("api").Status.ShouldBe(ContainerStatus.Running);
            }),
            (DaemonRoutes.RestartWorkload, async () =>
            {
                var before = d.F.Store.State("api").Pid;
                await c.RestartWorkloadAsync(WorkloadKinds.Container, "api", TimeSpan.FromSeconds(2));
                d.F.Engine.View("api").Status.ShouldBe(ContainerStatus.Running);
                d.F.Store.State("api").Pid.ShouldNotBe(before);
                await c.RestartWorkloadAsync(WorkloadKinds.Service, "web");
            }),
            (DaemonRoutes.ReloadTask, async () =>
            {
                var tasks = new Volt.Workloads.Tasks.TaskEngine(new Volt.Workloads.Tasks.TaskStore(d.F.Paths), TimeProvider.System);
                tasks.Create(new Volt.Workloads.Tasks.TaskSpec("tick", "yearly", ["/bin/sh", "-c", "echo ran; exit 3"]), "/usr/bin:/bin");
                await c.ReloadTaskAsync("tick");
                await ContainerFixture.WaitFor(() => tasks.Store.State("tick").NextElapse is not null, what: "the task's timer to be armed");
            }),
            (DaemonRoutes.RunTask, async () =>
            {
                var run = await c.RunTaskAsync("tick");
                run.ExitCode.ShouldBe(3);
                run.Result.ShouldBe(Volt.Workloads.Tasks.TaskResult.Failed);
                run.Trigger.ShouldBe(Volt.Workloads.Tasks.TaskTrigger.Manual);
                (await Should.ThrowAsync<VoltException>(() => c.RunTaskAsync("nope"))).Code.ShouldBe(ExitCode.NotFound);
            }),
            (DaemonRoutes.RemoveTask, async () =>
            {
                await c.RemoveTaskAsync("tick");
                d.Tasks.Timers.Running().ShouldBeEmpty();
            }),
        };
        calls.Select(x => x.Route).ShouldBe(DaemonRoutes.All, ignoreOrder: true, "every declared route needs a call here");
        foreach (var (route, call) in calls)
            try { await call(); }
            catch (Exception e) { throw new Xunit.Sdk.XunitException($"{route.Name} ({route}): {e}"); }
        d.Services.Calls.ShouldBe(["stop 1.5 web", "stop default web", "start web", "restart default web"]);
        await c.StopAsync("api", TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task An_unknown_route_answers_404_with_the_error_body()
    {
        await using var d = new Voltd();
        await d.StartAsync();
        foreach (var (method, target) in new[] { ("GET", "/v1/nope"), ("GET", "/v1/containers/api/start"), ("DELETE", "/v1/ping"), ("POST", "/v1/containers") })
        {
            var (status, body) = await d.RawAsync(method, target);
            status.ShouldBe(404, $"{method} {target}");
            using var json = JsonDocument.Parse(body);
            json.RootElement.GetProperty("code").GetInt32().ShouldBe((int)ExitCode.NotFound);
            json.RootElement.GetProperty("message").GetString().ShouldBe($"no such daemon endpoint: {method} {target.Split('?')[0]}");
        }
    }

    [Fact]
    public async Task A_VoltException_from_a_handler_maps_to_the_shared_status_and_the_client_rethrows_its_code_and_message()
    {
        await using var d = new Voltd();
        await d.StartAsync();
        foreach (var code in Enum.GetValues<ExitCode>().Where(c => c != ExitCode.Ok).Append((ExitCode)127).Append((ExitCode)126))
        {
            var name = $"fail-{(int)code}";
            var e = await Should.ThrowAsync<VoltException>(() => d.Client.StartWorkloadAsync(WorkloadKinds.Service, name));
            e.Code.ShouldBe(code);
            e.Message.ShouldBe($"service {name} refused to start");
            var (status, body) = await d.RawAsync("POST", $"/v1/workloads/service/{name}/start");
            status.ShouldBe(HttpErrors.StatusFor(code), code.ToString());
            body.ShouldBe($$"""{"code":{{(int)code}},"message":"service {{name}} refused to start"}""");
        }
    }

    [Fact]
    public async Task Errors_of_the_real_container_runtime_and_of_the_dispatcher_come_back_as_exit_codes()
    {
        await using var d = new Voltd();
        await d.StartAsync();
        var c = d.Client;
        (await Should.ThrowAsync<VoltException>(() => c.StartAsync("ghost"))).Code.ShouldBe(ExitCode.NotFound);
        (await Should.ThrowAsync<VoltException>(() => c.StartWorkloadAsync(WorkloadKinds.Container, "ghost"))).Code.ShouldBe(ExitCode.NotFound);
        var unknownKind = await Should.ThrowAsync<VoltException>(() => c.StartWorkloadAsync("pod", "x"));
        unknownKind.Code.ShouldBe(ExitCode.Usage);
        unknownKind.Message.ShouldBe("unknown workload kind \"pod\": expected container, service, task, vm");
        var noVm = await Should.ThrowAsync<VoltException>(() => c.ListWorkloadsAsync(WorkloadKinds.Vm));
        noVm.Code.ShouldBe(ExitCode.NotFound);
        noVm.Message.ShouldBe("this voltd runs no vm workloads (it runs: container, service, task)");
        var bug = await Should.ThrowAsync<VoltException>(() => c.StartWorkloadAsync(WorkloadKinds.Service, "bug"));
        (bug.Code, bug.Message).ShouldBe((ExitCode.General, "a handler bug"));
        var badTimeout = await d.RawAsync("POST", "/v1/workloads/service/web/stop?timeout=soon");
        badTimeout.Status.ShouldBe(400);
        JsonSerializer.Deserialize<ErrorResponse>(badTimeout.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            .ShouldBe(new ErrorResponse(2, "invalid timeout \"soon\": expected seconds"));
        var badJson = await d.RawAsync("POST", "/v1/containers?start=1", "{\"name\":");
        badJson.Status.ShouldBe(400);
        JsonDocument.Parse(badJson.Body).RootElement.GetProperty("code").GetInt32().ShouldBe((int)ExitCode.Usage);
    }
}
