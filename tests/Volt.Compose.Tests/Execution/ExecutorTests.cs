using Shouldly;
using Volt.Compose.Execution;
using Volt.Compose.Model;
using Volt.Compose.Planning;
using Volt.Compose.Tests.Loading;
using Volt.Core.Errors;

namespace Volt.Compose.Tests.Execution;

public sealed class ExecutorTests : IDisposable
{
    private readonly Stacks _s = new();
    private readonly FakeRuntime _rt = new();
    private readonly StackStore _store;
    private readonly Executor _exec;
    private static readonly UpOptions Fast = new() { Poll = TimeSpan.FromMilliseconds(5), Drain = TimeSpan.Zero };

    public ExecutorTests()
    {
        _store = new StackStore(_s.Dir.Combine("stacks"));
        _exec = new Executor(_rt, _store, TimeProvider.System);
    }

    public void Dispose() => _s.Dispose();

    private (StackModel, ResolvedStack) Load(string yaml)
    {
        _s.Write("compose.yaml", yaml);
        var m = _s.Load();
        return (m, Resolver.Resolve(m, new ResolveContext(_s.Dir.Combine("volumes"), _s.Dir.Combine("files"), _ => null)));
    }

    private Task<StackState> Up(string yaml, UpOptions? o = null)
    {
        var (m, r) = Load(yaml);
        return _exec.UpAsync(m, r, o ?? Fast, null, CancellationToken.None);
    }

    private const string Chain = """
        name: app
        services:
          db: {image: db, healthcheck: {test: "true"}}
          api: {image: api, depends_on: {db: {condition: service_healthy}}}
          web: {image: web, depends_on: [api], ports: ["8080:80"]}
        """;

    [Fact]
    public async Task Services_start_in_dependency_order_and_wait_for_health()
    {
        var up = Up(Chain);
        // db runs but is not healthy yet: api must not be created.
        await WaitFor(() => _rt.Log.Contains("start app-db-1"));
        _rt.Log.ShouldNotContain("create app-api-1");
        _rt.SetHealth("app-db-1", InstanceHealth.Healthy);
        var state = await up;
        _rt.Log.ShouldBe(["create app-db-1", "start app-db-1", "create app-api-1", "start app-api-1", "create app-web-1", "start app-web-1"]);
        state.Instances.Keys.ShouldBe(["app-api-1", "app-db-1", "app-web-1"]);
        _rt.Spec("app-web-1").Publish.ShouldBe(["8080:80"]);
        _rt.Spec("app-web-1").Networks.Single().Aliases.ShouldBe(["web"]);
    }

    [Fact]
    public async Task Independent_branches_do_not_wait_for_each_other()
    {
        var up = Up("""
            name: app
            services:
              slow: {image: slow, healthcheck: {test: "true"}}
              after: {image: after, depends_on: {slow: {condition: service_healthy}}}
              other: {image: other}
            """);
        await WaitFor(() => _rt.Log.Contains("start app-other-1") && _rt.Log.Contains("start app-slow-1"));
        _rt.Log.ShouldNotContain("create app-after-1");
        _rt.SetHealth("app-slow-1", InstanceHealth.Healthy);
        await up;
        _rt.Log.ShouldContain("create app-after-1");
    }

    [Fact]
    public async Task Second_up_of_the_same_files_changes_nothing_and_a_change_recreates_only_that_service()
    {
        _rt.HealthyAtOnce.Add("db");
        await Up(Chain);
        var before = _rt.Log.Count;
        await Up(Chain);
        _rt.Log.Skip(before).ShouldBeEmpty();
        await Up(Chain.Replace("image: api", "image: api, environment: {A: b}"));
        _rt.Log.Skip(before).ShouldBe(["stop app-api-1", "remove app-api-1", "create app-api-1", "start app-api-1"]);
        _rt.Spec("app-api-1").Env.ShouldBe(["A=b"]);
    }

    [Fact]
    public async Task Image_that_cannot_be_pulled_names_the_service_and_starts_nothing()
    {
        _rt.BadImages.Add("web");
        _rt.HealthyAtOnce.Add("db");
        var e = await Should.ThrowAsync<VoltException>(() => Up(Chain));
        e.Message.ShouldStartWith("service \"web\": image \"web\" not found");
        _rt.Names.ShouldBeEmpty();
    }

    [Fact]
    public async Task Unhealthy_dependency_fails_up_naming_it_and_removes_what_up_created()
    {
        var up = Up(Chain);
        await WaitFor(() => _rt.Log.Contains("start app-db-1"));
        _rt.SetHealth("app-db-1", InstanceHealth.Unhealthy);
        var e = await Should.ThrowAsync<VoltException>(() => up);
        e.Message.ShouldContain("dependency \"db\" (app-db-1) is unhealthy");
        _rt.Names.ShouldBeEmpty();
        _store.TryLoad("app")!.Instances.ShouldBeEmpty();
    }

    [Fact]
    public async Task Service_healthy_on_a_service_without_healthcheck_is_an_error()
    {
        var e = await Should.ThrowAsync<VoltException>(() => Up("services: {a: {image: a}, b: {image: b, depends_on: {a: {condition: service_healthy}}}}"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("\"a\" has no healthcheck");
    }

    [Fact]
    public async Task Completed_successfully_waits_for_exit_zero_and_fails_on_another_code()
    {
        _rt.ExitOnStart["migrate"] = 0;
        await Up("services: {migrate: {image: migrate}, app: {image: app, depends_on: {migrate: {condition: service_completed_successfully}}}}");
        _rt.Log.ShouldContain("start " + _rt.Names.First(n => n.Contains("app-1")));
        var r2 = new FakeRuntime();
        r2.ExitOnStart["migrate"] = 3;
        var (m, r) = Load("name: two\nservices: {migrate: {image: migrate}, app: {image: app, depends_on: {migrate: {condition: service_completed_successfully}}}}");
        var e = await Should.ThrowAsync<VoltException>(() => new Executor(r2, _store, TimeProvider.System).UpAsync(m, r, Fast, null, CancellationToken.None));
        e.Message.ShouldContain("exited with code 3, not 0");
    }

    [Fact]
    public async Task Failed_recreate_restores_the_previous_instance()
    {
        const string v1 = "name: app\nservices: {api: {image: api}}";
        await Up(v1);
        _rt.ExitOnStart["broken"] = 1;
        _rt.OnCreate = spec => spec.Image == "broken" ? throw new VoltException(ExitCode.General, "create failed") : Task.CompletedTask;
        var e = await Should.ThrowAsync<VoltException>(() => Up("name: app\nservices: {api: {image: broken}}"));
        e.Message.ShouldContain("previous instance was restored");
        _rt.Spec("app-api-1").Image.ShouldBe("api");
        _rt.Status("app-api-1").State.ShouldBe(InstanceState.Running);
        _store.TryLoad("app")!.Instances["app-api-1"].Image.ShouldBe("api");
    }

    [Fact]
    public async Task Start_first_update_has_the_new_instance_healthy_and_named_in_dns_before_the_old_one_stops()
    {
        const string yaml = "name: app\nservices: {api: {image: IMG, healthcheck: {test: \"true\"}, deploy: {update_config: {order: start-first}}}}";
        _rt.HealthyAtOnce.Add("v1");
        await Up(yaml.Replace("IMG", "v1"));
        var before = _rt.Log.Count;
        var up = Up(yaml.Replace("IMG", "v2"));
        await WaitFor(() => _rt.Log.Contains("unannounced app-api-1-next"));
        _rt.Status("app-api-1").State.ShouldBe(InstanceState.Running); // the old one still serves
        _rt.Log.ShouldNotContain("announce app-api-1-next"); // not in DNS while it is not ready
        _rt.SetHealth("app-api-1-next", InstanceHealth.Healthy);
        var state = await up;
        // The new one joins DNS once healthy; the old one leaves it before it stops (requests move to the new one first).
        _rt.Log.Skip(before).ShouldBe(["create app-api-1-next", "start app-api-1-next", "unannounced app-api-1-next", "announce app-api-1-next",
            "withdraw app-api-1", "stop app-api-1", "remove app-api-1"]);
        state.Instances.Keys.ShouldBe(["app-api-1-next"]);
        // The next update alternates back to the plain name.
        _rt.HealthyAtOnce.Add("v3");
        await Up(yaml.Replace("IMG", "v3"));
        _store.TryLoad("app")!.Instances.Keys.ShouldBe(["app-api-1"]);
    }

    [Fact]
    public async Task Start_first_update_that_never_gets_healthy_keeps_the_old_instance()
    {
        const string yaml = "name: app\nservices: {api: {image: IMG, healthcheck: {test: \"true\"}, deploy: {update_config: {order: start-first}}}}";
        _rt.HealthyAtOnce.Add("v1");
        await Up(yaml.Replace("IMG", "v1"));
        var up = Up(yaml.Replace("IMG", "v2"));
        await WaitFor(() => _rt.Log.Contains("start app-api-1-next"));
        _rt.SetHealth("app-api-1-next", InstanceHealth.Unhealthy);
        (await Should.ThrowAsync<VoltException>(() => up)).Message.ShouldContain("previous instance kept running");
        _rt.Names.ShouldBe(["app-api-1"]);
        _rt.Spec("app-api-1").Image.ShouldBe("v1");
    }

    [Fact]
    public async Task Replicas_scale_up_and_down_by_index()
    {
        await Up("name: app\nservices: {w: {image: w, deploy: {replicas: 3}}}");
        _rt.Names.ShouldBe(["app-w-1", "app-w-2", "app-w-3"]);
        _rt.Spec("app-w-2").Networks.Single().Aliases.ShouldBe(["w"]);
        await Up("name: app\nservices: {w: {image: w, deploy: {replicas: 1}}}");
        _rt.Names.ShouldBe(["app-w-1"]);
    }

    [Fact]
    public async Task Up_records_each_volt_network_under_the_key_the_file_gives_it()
    {
        await Up("name: a-long-stack-name\nservices: {w: {image: w, networks: [backend-tier]}}\nnetworks: {backend-tier: }\n");
        var state = _store.TryLoad("a-long-stack-name").ShouldNotBeNull();
        var volt = _rt.Spec("a-long-stack-name-w-1").Networks.Single().Network;
        volt.ShouldNotBe("backend-tier"); // hashed to fit a bridge name: not what a user reads
        state.NetworkKeys[volt].ShouldBe("backend-tier");
    }

    [Fact]
    public async Task Down_removes_dependents_first_then_networks_and_keeps_volumes_without_v()
    {
        _rt.HealthyAtOnce.Add("db");
        var yaml = Chain.Replace("image: db,", "image: db, volumes: ['data:/d'],") + "\nvolumes: {data: }\n";
        await Up(yaml);
        _rt.Volumes.ShouldBe(["app_data"]);
        var (_, r) = Load(yaml);
        var before = _rt.Log.Count;
        await _exec.DownAsync("app", r, removeVolumes: false, null, CancellationToken.None);
        var log = _rt.Log.Skip(before).ToList();
        log.IndexOf("stop app-web-1").ShouldBeLessThan(log.IndexOf("stop app-api-1"));
        log.IndexOf("stop app-api-1").ShouldBeLessThan(log.IndexOf("stop app-db-1"));
        log.Last().ShouldStartWith("rmnet ");
        _rt.Names.ShouldBeEmpty();
        _rt.Networks.ShouldBeEmpty();
        _rt.Volumes.ShouldBe(["app_data"]);
        await _exec.DownAsync("app", r, removeVolumes: true, null, CancellationToken.None);
        _rt.Volumes.ShouldBeEmpty();
        _store.TryLoad("app").ShouldBeNull();
    }

    [Fact]
    public async Task Up_after_an_interrupted_up_converges()
    {
        _rt.HealthyAtOnce.Add("db");
        // An earlier up died after creating db but before recording it.
        var (_, r) = Load(Chain);
        await _rt.CreateAsync(r.Services.First(s => s.Name == "db").Instances[0], CancellationToken.None);
        await Up(Chain);
        _rt.Names.ShouldBe(["app-api-1", "app-db-1", "app-web-1"]);
        _rt.Status("app-db-1").State.ShouldBe(InstanceState.Running);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition()) await Task.Delay(5, cts.Token);
    }

    [Fact]
    public async Task Up_build_rebuilds_every_build_service_once_and_a_new_image_recreates_its_instances()
    {
        _s.Write("ctx/Containerfile", "FROM scratch\n");
        const string yaml = """
            name: app
            services:
              a: {build: ./ctx, deploy: {replicas: 2}}
              b: {image: plain}
            """;
        await Up(yaml);
        _rt.Rebuilt.ShouldBeEmpty("without --build an image in the store is used as it is");
        var before = _rt.Log.Count;
        await Up(yaml, Fast with { Build = true });
        // The service's image (image: absent, so STACK-SERVICE:latest) is rebuilt; b has no build: and is untouched.
        _rt.Rebuilt.Distinct().ShouldBe(["app-a:latest"]);
        _rt.Log.Skip(before).Where(l => l.StartsWith("create", StringComparison.Ordinal)).ShouldBe(["create app-a-1", "create app-a-2"], ignoreOrder: true);
        _rt.Log.Skip(before).ShouldNotContain("create app-b-1");
    }

    [Fact]
    public async Task Constellation_services_and_tasks_are_instances_of_their_own_kind_without_images()
    {
        _s.Write("volt-compose.yaml", """
            version: "1"
            name: shop
            containers:
              web: {image: web, depends_on: {exporter: {condition: service_started}}}
            services:
              exporter: {command: [/bin/sleep, "600"], environment: {MODE: fast}, restart: always}
            tasks:
              backup: {command: [/bin/true], schedule: daily}
            vms:
              db: {image: debian-12, cpu: 2, memory: 1G, networks: [back]}
            networks:
              back: {}
            """);
        var m = _s.Load();
        var r = Resolver.Resolve(m, new ResolveContext(_s.Dir.Combine("volumes"), _s.Dir.Combine("files"), _ => null));
        await _exec.UpAsync(m, r, Fast, null, CancellationToken.None);
        _rt.Spec("shop-exporter").Kind.ShouldBe(InstanceKinds.Service);
        _rt.Spec("shop-exporter").Command.ShouldBe(["/bin/sleep", "600"]);
        _rt.Spec("shop-exporter").Env.ShouldBe(["MODE=fast"]);
        _rt.Spec("shop-exporter").Restart.ShouldBe("always");
        _rt.Spec("shop-exporter").ImageId.ShouldBeNull("a host service has no image to prepare");
        _rt.Spec("shop-backup").Kind.ShouldBe(InstanceKinds.Task);
        _rt.Spec("shop-backup").Schedule.ShouldBe("daily");
        _rt.Spec("shop-web-1").Kind.ShouldBe(InstanceKinds.Container);
        var vm = _rt.Spec("shop-db");
        (vm.Kind, vm.Image, vm.Cpu, vm.Memory).ShouldBe((InstanceKinds.Vm, "debian-12", "2", "1G"));
        vm.Networks.Single().Aliases.ShouldBe(["db"]);
        _rt.Networks.ShouldContain(vm.Networks[0].Network);
        // web waits for the service it depends on.
        _rt.Log.ToList().IndexOf("start shop-web-1").ShouldBeGreaterThan(_rt.Log.ToList().IndexOf("start shop-exporter"));
        // The schedule is a setting: a changed one recreates the task, and nothing else.
        _s.Write("volt-compose.yaml", File.ReadAllText(_s.Dir.Combine("volt-compose.yaml")).Replace("schedule: daily", "schedule: weekly"));
        var before = _rt.Log.Count;
        var m2 = _s.Load();
        await _exec.UpAsync(m2, Resolver.Resolve(m2, new ResolveContext(_s.Dir.Combine("volumes"), _s.Dir.Combine("files"), _ => null)), Fast, null, CancellationToken.None);
        _rt.Log.Skip(before).ShouldBe(["stop shop-backup", "remove shop-backup", "create shop-backup", "start shop-backup"]);
        _rt.Spec("shop-backup").Schedule.ShouldBe("weekly");
    }

    [Fact]
    public async Task A_timeout_on_the_up_path_is_exit_7_naming_the_service_not_a_bare_message()
    {
        _rt.OnCreate = spec => spec.Service == "api" ? throw new TimeoutException() : Task.CompletedTask;
        _rt.HealthyAtOnce.Add("db");
        var e = await Should.ThrowAsync<VoltException>(() => Up(Chain));
        e.Code.ShouldBe(ExitCode.Timeout);
        e.Message.ShouldBe("service \"api\": The operation has timed out.");
        _rt.Names.ShouldBeEmpty("what this up created is removed again");
    }
}
