using Shouldly;
using Volt.Compose.Model;
using Volt.Compose.Parsing;
using Volt.Core.Errors;

namespace Volt.Compose.Tests.Loading;

public sealed class ComposeSpecTests : IDisposable
{
    private readonly Stacks _s = new();
    public void Dispose() => _s.Dispose();

    private StackModel Load(string yaml)
    {
        _s.Write("compose.yaml", yaml);
        return _s.Load();
    }

    private ComposeException Bad(string yaml, params string[] files)
    {
        _s.Write("compose.yaml", yaml);
        var e = Should.Throw<ComposeException>(() => _s.Load(files));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        return e;
    }

    [Fact]
    public void Parses_every_service_key_in_short_and_long_forms()
    {
        _s.Env["TAG"] = "1.25";
        var m = Load("""
            name: shop
            x-common: &common { restart: always }
            services:
              web:
                <<: *common
                image: nginx:${TAG}
                command: nginx -g "daemon off;"
                entrypoint: [/docker-entrypoint.sh]
                environment: [A=1, B]
                ports: ["127.0.0.1:8080:80", "9000-9001:9000-9001/udp", 443, {target: 8443, published: "8443", host_ip: 127.0.0.1, protocol: tcp}]
                volumes:
                  - ./html:/usr/share/nginx/html:ro
                  - data:/data
                  - /anon
                  - {type: tmpfs, target: /tmp, tmpfs: {size: 64m}}
                  - {type: bind, source: ./conf, target: /etc/conf, read_only: true}
                secrets: [pw, {source: key, target: /etc/key}]
                configs: [{source: cfg, target: /etc/cfg}]
                networks:
                  front: {aliases: [www]}
                depends_on:
                  api: {condition: service_healthy, restart: true}
                  init: {condition: service_completed_successfully, required: false}
                healthcheck: {test: ["CMD", "curl", "-f", "localhost"], interval: 1m30s, timeout: 500ms, start_period: 5s, retries: 4}
                working_dir: /srv
                user: "101:101"
                hostname: web1
                labels: {tier: front}
                stop_signal: SIGQUIT
                stop_grace_period: 20s
                deploy:
                  replicas: 2
                  resources: {limits: {cpus: "0.5", memory: 256M, pids: 100}}
                  update_config: {order: start-first}
              api:
                image: api
                healthcheck: {test: "curl -f localhost || exit 1"}
                # A static address is one instance's (web has replicas): see Static_addresses_are_checked_against_the_subnet.
                networks: {front: {ipv4_address: 10.20.0.5}}
              init: {image: busybox, command: [true]}
            networks: {front: {ipam: {config: [{subnet: 10.20.0.0/24}]}}}
            volumes: {data: }
            secrets: {pw: {file: ./pw.txt}, key: {environment: KEY}}
            configs: {cfg: {content: "x=1"}}
            """);
        m.Name.ShouldBe("shop");
        var w = m.Workloads["web"];
        w.Image.ShouldBe("nginx:1.25");
        w.Restart.ShouldBe("always");
        w.Command.ShouldBe(["nginx", "-g", "daemon off;"]);
        w.Entrypoint.ShouldBe(["/docker-entrypoint.sh"]);
        w.Environment.ShouldBe(new SortedDictionary<string, string?> { ["A"] = "1", ["B"] = null });
        w.Ports.ShouldBe([
            new PortSpec(80, 8080, "tcp", "127.0.0.1"), new PortSpec(9000, 9000, "udp", null), new PortSpec(9001, 9001, "udp", null),
            new PortSpec(443, null, "tcp", null), new PortSpec(8443, 8443, "tcp", "127.0.0.1"),
        ]);
        w.Volumes.ShouldBe([
            new MountSpec("bind", _s.Dir.Combine("html"), "/usr/share/nginx/html", true),
            new MountSpec("volume", "data", "/data", false),
            new MountSpec("volume", null, "/anon", false),
            new MountSpec("tmpfs", null, "/tmp", false, TmpfsSize: 64 << 20),
            new MountSpec("bind", _s.Dir.Combine("conf"), "/etc/conf", true),
        ]);
        w.Secrets.ShouldBe([new FileMountSpec("pw", null), new FileMountSpec("key", "/etc/key")]);
        w.Networks["front"].Aliases.ShouldBe(["www"]);
        m.Workloads["api"].Networks["front"].Ipv4Address.ShouldBe("10.20.0.5");
        w.DependsOn["api"].Condition.ShouldBe(DependencyCondition.ServiceHealthy);
        w.DependsOn["api"].Restart.ShouldBeTrue();
        w.DependsOn["init"].Condition.ShouldBe(DependencyCondition.ServiceCompletedSuccessfully);
        w.Healthcheck!.Test.ShouldBe(["CMD", "curl", "-f", "localhost"]);
        w.Healthcheck.Interval.ShouldBe(TimeSpan.FromSeconds(90));
        w.Healthcheck.Timeout.ShouldBe(TimeSpan.FromMilliseconds(500));
        w.Healthcheck.Retries.ShouldBe(4);
        (w.WorkingDir, w.User, w.Hostname, w.StopSignal).ShouldBe(("/srv", "101:101", "web1", "SIGQUIT"));
        w.StopGracePeriod.ShouldBe(TimeSpan.FromSeconds(20));
        w.Deploy.Replicas.ShouldBe(2);
        w.Deploy.Cpus.ShouldBe(0.5);
        w.Deploy.MemoryBytes.ShouldBe(256L << 20);
        w.Deploy.Pids.ShouldBe(100);
        w.Deploy.UpdateOrder.ShouldBe("start-first");
        m.Workloads["api"].Healthcheck!.Test.ShouldBe(["CMD-SHELL", "curl -f localhost || exit 1"]);
        m.Networks["front"].Subnet.ShouldBe("10.20.0.0/24");
        m.Secrets["pw"].File.ShouldBe(_s.Dir.Combine("pw.txt"));
    }

    [Fact]
    public void Null_top_level_maps_and_extensions_are_accepted()
    {
        var m = Load("""
            x-anything: {whatever: [1, 2]}
            services:
              a: {image: busybox, x-note: ignored}
            networks:
            volumes:
            secrets:
            configs:
            """);
        m.Workloads.Keys.ShouldBe(["a"]);
        m.Networks.Keys.ShouldBe(["default"]);
        m.Workloads["a"].Networks.Keys.ShouldBe(["default"]);
    }

    [Fact]
    public void Dollar_dollar_escapes_survive_into_healthchecks()
    {
        var m = Load("""
            services:
              db:
                image: mariadb
                healthcheck: {test: ['CMD-SHELL', 'mysqladmin ping --password="$$(cat /run/secrets/pw)"']}
            """);
        m.Workloads["db"].Healthcheck!.Test.ShouldBe(["CMD-SHELL", "mysqladmin ping --password=\"$(cat /run/secrets/pw)\""]);
    }

    [Fact]
    public void Interpolates_from_dot_env_under_the_process_environment()
    {
        _s.Write(".env", "TAG=from-dotenv\nPORT=8080\n");
        _s.Env["TAG"] = "from-env";
        var m = Load("services: {web: {image: 'nginx:${TAG}', ports: ['${PORT}:80']}}");
        m.Workloads["web"].Image.ShouldBe("nginx:from-env");
        m.Workloads["web"].Ports[0].Published.ShouldBe(8080);
    }

    [Fact]
    public void Required_variable_error_names_file_line_column_and_key()
    {
        var e = Bad("services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n");
        e.Message.ShouldBe($"{_s.Dir.Combine("compose.yaml")} line 3, column 12: services.web.image: required variable IMAGE is missing a value: set IMAGE");
    }

    [Fact]
    public void Env_file_values_sit_under_explicit_environment()
    {
        _s.Write("web.env", "A=from-file\nB=from-file\n");
        var m = Load("services: {web: {image: x, env_file: web.env, environment: {B: explicit}}}");
        m.Workloads["web"].Environment.ShouldBe(new SortedDictionary<string, string?> { ["A"] = "from-file", ["B"] = "explicit" });
    }

    [Fact]
    public void Missing_env_file_is_an_error_unless_not_required()
    {
        Bad("services: {web: {image: x, env_file: nope.env}}").Message.ShouldContain("nope.env\" not found");
        Load("services: {web: {image: x, env_file: [{path: nope.env, required: false}]}}").Workloads["web"].Environment.ShouldBeEmpty();
    }

    [Fact]
    public void Profiles_leave_out_services_not_enabled()
    {
        _s.Write("compose.yaml", "services: {web: {image: x}, debug: {image: y, profiles: [dev]}}");
        var m = _s.Load();
        m.Workloads.Keys.ShouldBe(["web"]);
        m.Disabled.ShouldBe(["debug"]);
        var dev = Volt.Compose.Loading.StackLoader.Load(_s.Options() with { Profiles = ["dev"] });
        dev.Workloads.Keys.ShouldBe(["debug", "web"]);
    }

    [Fact]
    public void Depending_on_a_disabled_service_is_an_error() =>
        Bad("services: {web: {image: x, depends_on: [debug]}, debug: {image: y, profiles: [dev]}}").Message.ShouldContain("profile that is not enabled");

    [Fact]
    public void Extends_merges_a_base_service_from_the_same_or_another_file()
    {
        _s.Write("base/common.yaml", "services: {app: {image: base, environment: {A: base, B: base}, volumes: ['./data:/data']}}");
        var m = Load("""
            services:
              tmpl: {image: tmpl, labels: {x: "1"}}
              a: {extends: tmpl, command: [run]}
              b: {extends: {file: base/common.yaml, service: app}, environment: {B: mine}}
            """);
        m.Workloads["a"].Image.ShouldBe("tmpl");
        m.Workloads["a"].Labels["x"].ShouldBe("1");
        m.Workloads["a"].Command.ShouldBe(["run"]);
        m.Workloads["b"].Image.ShouldBe("base");
        m.Workloads["b"].Environment.ShouldBe(new SortedDictionary<string, string?> { ["A"] = "base", ["B"] = "mine" });
        m.Workloads["b"].Volumes[0].Source.ShouldBe(_s.Dir.Combine("base", "data"));
    }

    [Fact]
    public void Extends_cycle_is_an_error() =>
        Bad("services: {a: {image: x, extends: b}, b: {image: y, extends: a}}").Message.ShouldContain("extends cycle");

    [Fact]
    public void Include_adds_services_with_their_own_directory()
    {
        _s.Write("db/compose.yaml", "services: {db: {image: mariadb, volumes: ['./init:/init']}}\nvolumes: {dbdata: }");
        var m = Load("include: [db/compose.yaml]\nservices: {web: {image: x, depends_on: [db]}}");
        m.Workloads.Keys.ShouldBe(["db", "web"]);
        m.Workloads["db"].Volumes[0].Source.ShouldBe(_s.Dir.Combine("db", "init"));
        m.Volumes.Keys.ShouldBe(["dbdata"]);
    }

    [Fact]
    public void Include_of_a_service_defined_twice_is_an_error()
    {
        _s.Write("other.yaml", "services: {web: {image: y}}");
        Bad("include: [other.yaml]\nservices: {web: {image: x}}").Message.ShouldContain("service \"web\"");
    }

    [Fact]
    public void Override_files_merge_by_compose_rules()
    {
        _s.Write("compose.yaml", """
            services:
              web:
                image: a
                command: [one, two]
                environment: {A: "1", B: "1"}
                ports: ["80:80"]
                volumes: ["./x:/data", "./y:/keep"]
                healthcheck: {test: [CMD, a], retries: 3}
            """);
        _s.Write("override.yaml", """
            services:
              web:
                image: b
                command: [three]
                environment: [B=2, C=3]
                ports: ["443:443"]
                volumes: ["./z:/data"]
                healthcheck: {interval: 2s}
              extra: {image: c}
            """);
        var m = _s.Load("compose.yaml", "override.yaml");
        var w = m.Workloads["web"];
        w.Image.ShouldBe("b");
        w.Command.ShouldBe(["three"]);
        w.Environment.ShouldBe(new SortedDictionary<string, string?> { ["A"] = "1", ["B"] = "2", ["C"] = "3" });
        w.Ports.Select(p => p.Target).ShouldBe([80, 443]);
        w.Volumes.Select(v => (v.Source, v.Target)).ShouldBe([(_s.Dir.Combine("z"), "/data"), (_s.Dir.Combine("y"), "/keep")]);
        w.Healthcheck!.Test.ShouldBe(["CMD", "a"]);
        w.Healthcheck.Interval.ShouldBe(TimeSpan.FromSeconds(2));
        w.Healthcheck.Retries.ShouldBe(3);
        m.Workloads.Keys.ShouldBe(["extra", "web"]);
        m.Files.ShouldBe([_s.Dir.Combine("compose.yaml"), _s.Dir.Combine("override.yaml")]);
    }

    [Fact]
    public void Stack_name_comes_from_p_then_name_then_the_directory()
    {
        _s.Write("compose.yaml", "services: {a: {image: x}}");
        _s.Load().Name.ShouldBe(StackNames.FromDirectory(_s.Dir.Path));
        Volt.Compose.Loading.StackLoader.Load(_s.Options() with { ProjectName = "given" }).Name.ShouldBe("given");
        _s.Write("compose.yaml", "name: named\nservices: {a: {image: x}}");
        _s.Load().Name.ShouldBe("named");
        Should.Throw<VoltException>(() => Volt.Compose.Loading.StackLoader.Load(_s.Options() with { ProjectName = "Bad Name" })).Code.ShouldBe(ExitCode.InvalidConfig);
    }

    [Theory]
    [InlineData("services:\n  web:\n    image: x\n    imagee: y\n", "line 4, column 5: services.web.imagee: unknown key \"imagee\"")]
    [InlineData("services:\n  web:\n    image: x\n    ports: 80\n", "line 4, column 12: services.web.ports: must be a list, not a single value")]
    [InlineData("services:\n  web:\n    image: x\n    ports: ['99999:80']\n", "line 4, column 13: services.web.ports[0]: \"99999\" is not a port")]
    [InlineData("services:\n  web:\n    image: x\n    environment: 5\n", "services.web.environment: must be a mapping or a list of KEY=VALUE")]
    [InlineData("services:\n  web:\n    image: x\n    depends_on: [db]\n", "line 4, column 18: services.web.depends_on: depends on \"db\", which is not defined")]
    [InlineData("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n", "dependency cycle: a -> b -> a")]
    [InlineData("services:\n  a: {image: x, depends_on: {a: {condition: service_started}}}\n", "dependency cycle: a -> a")]
    [InlineData("services:\n  a: {image: x, depends_on: {b: {condition: service_ready}}}\n  b: {image: x}\n", "services.a.depends_on.b.condition: unknown condition \"service_ready\"")]
    [InlineData("services:\n  a: {image: x, networks: [nope]}\n", "services.a.networks: network \"nope\" is not defined")]
    [InlineData("services:\n  a: {image: x, volumes: ['nope:/data']}\n", "services.a.volumes: volume \"nope\" is not defined")]
    [InlineData("services:\n  a: {image: x, secrets: [nope]}\n", "services.a.secrets: secret \"nope\" is not defined")]
    [InlineData("services:\n  a: {command: [x]}\n", "services.a: needs image: or build:")]
    [InlineData("services:\n  a: {image: x, healthcheck: {test: [BOGUS, x]}}\n", "services.a.healthcheck.test: must be a string")]
    [InlineData("services:\n  a: {image: x, restart: sometimes}\n", "services.a.restart: must be no, always")]
    [InlineData("services:\n  a: {image: x, deploy: {replicas: many}}\n", "services.a.deploy.replicas: must be a whole number")]
    [InlineData("services:\n  a: {image: x, stop_grace_period: soon}\n", "services.a.stop_grace_period: must be a duration")]
    [InlineData("services:\n  a: {image: x}\nbogus: 1\n", "line 3, column 1: bogus: unknown key \"bogus\"")]
    [InlineData("services:\n  a: {image: x\n", "line 3, column 1")]
    [InlineData("services:\n  a: {image: x}\n  a: {image: y}\n", "line 3")]
    [InlineData("services: [a, b]\n", "services: must be a mapping, not a list")]
    [InlineData("services:\n  a: {image: x, volumes: ['./x:/data:rx']}\n", "unknown mount option \"rx\"")]
    [InlineData("services:\n  a: {image: x, volumes: ['./x:relative']}\n", "must be absolute")]
    public void Invalid_files_fail_with_file_line_column_and_key_path(string yaml, string expected)
    {
        var e = Bad(yaml);
        e.Message.ShouldStartWith(_s.Dir.Combine("compose.yaml") + " line ");
        e.Message.ShouldContain(expected);
    }

    [Fact]
    public void Discovery_prefers_volt_compose_then_compose_then_docker_compose()
    {
        _s.Write("docker-compose.yml", "services: {a: {image: x}}");
        _s.Load().Files.ShouldBe([_s.Dir.Combine("docker-compose.yml")]);
        _s.Write("compose.yaml", "services: {b: {image: x}}");
        _s.Load().Workloads.Keys.ShouldBe(["b"]);
        _s.Write("Voltfile", "version: \"1\"\ncontainers: {c: {image: x}}");
        _s.Load().Workloads.Keys.ShouldBe(["c"]);
        _s.Write("volt-compose.yaml", "version: \"1\"\ncontainers: {d: {image: x}}");
        _s.Load().Workloads.Keys.ShouldBe(["d"]);
        _s.Env["VOLT_COMPOSE_FILE"] = _s.Dir.Combine("compose.yaml");
        _s.Load().Workloads.Keys.ShouldBe(["b"]);
    }

    [Fact]
    public void No_file_found_is_not_found_naming_the_candidates() =>
        Should.Throw<VoltException>(() => _s.Load()).Code.ShouldBe(ExitCode.NotFound);
}
