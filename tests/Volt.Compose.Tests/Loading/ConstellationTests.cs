using Shouldly;
using Volt.Compose.Parsing;
using Volt.Workloads.Model;

namespace Volt.Compose.Tests.Loading;

public sealed class ConstellationTests : IDisposable
{
    private readonly Stacks _s = new();
    public void Dispose() => _s.Dispose();

    [Fact]
    public void Parses_every_kind_of_workload_into_one_model()
    {
        _s.Write("volt-compose.yaml", """
            version: "1"
            name: shop
            description: a shop
            containers:
              web:
                image: armoredgate/nginx:1.25
                ports: ["8080:80"]
                networks: [front]
                depends_on:
                  api: { condition: service_started }
              api:
                image: armoredgate/node:20
                environment: { DB_URL: "postgresql://db:5432/shop" }
                networks: [front, back]
            services:
              exporter: { command: /usr/bin/node-exporter, restart: always }
            tasks:
              backup: { command: [/usr/bin/backup, --all], schedule: daily, depends_on: [api] }
            vms:
              db: { image: armoredgate/ubuntu-24.04, cpu: 2, memory: 4G, networks: [back] }
            networks:
              front: { subnet: 10.20.0.0/24 }
              back:  { subnet: 10.30.0.0/24, internal: true }
            """);
        var m = _s.Load();
        m.Name.ShouldBe("shop");
        m.Format.ShouldBe("constellation");
        m.Workloads.ToDictionary(w => w.Key, w => w.Value.Kind).ShouldBe(new Dictionary<string, WorkloadKind>
        {
            ["api"] = WorkloadKind.Container, ["backup"] = WorkloadKind.Task, ["db"] = WorkloadKind.Vm,
            ["exporter"] = WorkloadKind.Service, ["web"] = WorkloadKind.Container,
        });
        m.Workloads["db"].VmCpus.ShouldBe(2);
        m.Workloads["backup"].Schedule.ShouldBe("daily");
        m.Networks["back"].Internal.ShouldBeTrue();
        m.Networks["front"].Subnet.ShouldBe("10.20.0.0/24");
    }

    [Theory]
    [InlineData("name: x\ncontainers: {a: {image: x}}\n", "version: \"1\" is required")]
    [InlineData("version: \"2\"\ncontainers: {a: {image: x}}\n", "version: must be \"1\"")]
    [InlineData("version: \"1\"\ncontainers: {a: {image: x}}\nservices: {a: {command: x}}\n", "\"a\" is already defined as a container")]
    [InlineData("version: \"1\"\ntasks: {t: {command: x}}\n", "tasks.t: needs schedule:")]
    [InlineData("version: \"1\"\nvms: {v: {image: x, cpus: 2}}\n", "vms.v.cpus: unknown key \"cpus\"")]
    [InlineData("version: \"1\"\nnetworks: {n: {subnet: 10.0.0.0}}\n", "networks.n.subnet: \"10.0.0.0\" is not an IPv4 subnet")]
    public void Invalid_constellations_fail_with_position(string yaml, string expected)
    {
        _s.Write("volt-compose.yaml", yaml);
        var e = Should.Throw<ComposeException>(() => _s.Load());
        e.Message.ShouldStartWith(_s.Dir.Combine("volt-compose.yaml") + " line ");
        e.Message.ShouldContain(expected);
    }
}
