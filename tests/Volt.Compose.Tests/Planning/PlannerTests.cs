using Shouldly;
using Volt.Compose.Planning;
using Volt.Compose.Tests.Loading;

namespace Volt.Compose.Tests.Planning;

public sealed class PlannerTests : IDisposable
{
    private readonly Stacks _s = new();
    public void Dispose() => _s.Dispose();

    private ResolvedStack Resolve(string yaml)
    {
        _s.Write("compose.yaml", yaml);
        return Resolver.Resolve(_s.Load(), new ResolveContext("/vol", "/files", _ => null));
    }

    private static StackState Recorded(ResolvedStack r) => new()
    {
        Name = r.Name, Instances = new(r.Services.SelectMany(s => s.Instances).ToDictionary(i => i.Name), StringComparer.Ordinal),
    };

    private static List<(ActionKind, string)> Kinds(Plan p) => [.. p.Actions.Select(a => (a.Kind, a.Instance))];

    [Fact]
    public void Nothing_recorded_creates_every_instance()
    {
        var r = Resolve("name: s\nservices: {a: {image: x, deploy: {replicas: 2}}, b: {image: y}}");
        Kinds(Planner.Diff(r, null, _ => false, new PlanOptions())).ShouldBe([(ActionKind.Create, "s-a-1"), (ActionKind.Create, "s-a-2"), (ActionKind.Create, "s-b-1")]);
    }

    [Fact]
    public void Same_hash_keeps_and_any_setting_change_recreates()
    {
        var r = Resolve("name: s\nservices: {a: {image: x}, b: {image: y}}");
        var state = Recorded(r);
        Kinds(Planner.Diff(r, state, _ => true, new PlanOptions())).ShouldBe([(ActionKind.Keep, "s-a-1"), (ActionKind.Keep, "s-b-1")]);
        foreach (var change in new[] { "environment: [A=1]", "command: [x]", "ports: ['80:80']", "volumes: ['/h:/c']", "user: '1'", "healthcheck: {test: 'true'}", "deploy: {resources: {limits: {memory: 64m}}}" })
        {
            var changed = Resolve($"name: s\nservices: {{a: {{image: x, {change}}}, b: {{image: y}}}}");
            Kinds(Planner.Diff(changed, state, _ => true, new PlanOptions())).ShouldBe([(ActionKind.Recreate, "s-a-1"), (ActionKind.Keep, "s-b-1")], change);
        }
    }

    [Fact]
    public void Hash_ignores_the_order_of_keys_in_the_file()
    {
        var a = Resolve("name: s\nservices: {a: {image: x, environment: {B: '2', A: '1'}, user: u}}").Services[0].Instances[0].Hash;
        var b = Resolve("name: s\nservices: {a: {user: u, environment: [A=1, B=2], image: x}}").Services[0].Instances[0].Hash;
        a.ShouldBe(b);
    }

    [Fact]
    public void Force_recreate_recreates_unchanged_instances()
    {
        var r = Resolve("name: s\nservices: {a: {image: x}}");
        Kinds(Planner.Diff(r, Recorded(r), _ => true, new PlanOptions { ForceRecreate = true })).ShouldBe([(ActionKind.Recreate, "s-a-1")]);
    }

    [Fact]
    public void Fewer_replicas_remove_the_highest_indexes()
    {
        var three = Resolve("name: s\nservices: {a: {image: x, deploy: {replicas: 3}}}");
        var one = Resolve("name: s\nservices: {a: {image: x, deploy: {replicas: 1}}}");
        Kinds(Planner.Diff(one, Recorded(three), _ => true, new PlanOptions())).ShouldBe([(ActionKind.Keep, "s-a-1"), (ActionKind.Remove, "s-a-2"), (ActionKind.Remove, "s-a-3")]);
    }

    [Fact]
    public void Orphans_are_removed_only_when_asked()
    {
        var old = Resolve("name: s\nservices: {a: {image: x}, gone: {image: y}}");
        var now = Resolve("name: s\nservices: {a: {image: x}}");
        Kinds(Planner.Diff(now, Recorded(old), _ => true, new PlanOptions())).ShouldBe([(ActionKind.Keep, "s-a-1")]);
        Kinds(Planner.Diff(now, Recorded(old), _ => true, new PlanOptions { RemoveOrphans = true })).ShouldBe([(ActionKind.Keep, "s-a-1"), (ActionKind.Remove, "s-gone-1")]);
    }

    [Fact]
    public void Recorded_but_vanished_instance_is_created_and_present_but_unrecorded_is_recreated()
    {
        var r = Resolve("name: s\nservices: {a: {image: x}}");
        Kinds(Planner.Diff(r, Recorded(r), _ => false, new PlanOptions())).ShouldBe([(ActionKind.Create, "s-a-1")]);
        Kinds(Planner.Diff(r, null, _ => true, new PlanOptions())).ShouldBe([(ActionKind.Recreate, "s-a-1")]);
    }

    [Fact]
    public void Resolver_maps_volumes_secrets_replicas_and_healthchecks_onto_the_container_engine()
    {
        _s.Write("pw.txt", "secret");
        var r = Resolve("""
            name: s
            services:
              db:
                image: m
                container_name: the-db
                volumes: [data:/var/lib/mysql, ./conf:/etc/conf:ro]
                secrets: [pw]
                healthcheck: {test: [CMD, mysqladmin, ping, "-h", 127.0.0.1], interval: 3s, retries: 5, start_period: 30s}
                restart: unless-stopped
                deploy: {resources: {limits: {cpus: "0.5", memory: 128m, pids: 50}}}
                entrypoint: [/init]
                command: [--flag]
                networks: {back: {aliases: [database]}}
            volumes: {data: }
            secrets: {pw: {file: pw.txt}}
            networks: {back: }
            """);
        var db = r.Services.Single().Instances.Single();
        db.Name.ShouldBe("the-db");
        db.Volumes.ShouldBe(["/vol/s_data:/var/lib/mysql", $"{_s.Dir.Combine("conf")}:/etc/conf:ro", $"{_s.Dir.Combine("pw.txt")}:/run/secrets/pw:ro"]);
        db.HealthCmd.ShouldBe("mysqladmin ping -h 127.0.0.1");
        (db.HealthInterval, db.HealthRetries, db.HealthStartPeriod).ShouldBe(("3s", "5", "30s"));
        db.Restart.ShouldBe("always");
        (db.Cpu, db.Memory, db.Pids).ShouldBe(("50", (128 << 20).ToString(), "50"));
        db.Command.ShouldBe(["/init", "--flag"]);
        db.Networks.Select(n => n.Network).ShouldBe(["s-back"]);
        db.Networks[0].Aliases.ShouldBe(["db", "database"]);
        r.Volumes.Single().Name.ShouldBe("s_data");
    }
}
