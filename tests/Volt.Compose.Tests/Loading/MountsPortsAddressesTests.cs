using Shouldly;
using Volt.Compose.Model;
using Volt.Compose.Parsing;
using Volt.Compose.Planning;
using Volt.Core.Errors;

namespace Volt.Compose.Tests.Loading;

/// <summary>tmpfs mounts, <c>host_ip</c> on published ports and <c>ipv4_address</c>: parsed, checked, resolved into what the engines take.</summary>
public sealed class MountsPortsAddressesTests : IDisposable
{
    private readonly Stacks _s = new();
    public void Dispose() => _s.Dispose();

    private StackModel Load(string yaml)
    {
        _s.Write("compose.yaml", yaml);
        return _s.Load();
    }

    private InstanceSpec Instance(string yaml, string service = "a") =>
        Resolver.Resolve(Load(yaml), new ResolveContext("/vol", "/files", _ => null)).Services.First(s => s.Name == service).Instances[0];

    private ComposeException Bad(string yaml)
    {
        _s.Write("compose.yaml", yaml);
        var e = Should.Throw<ComposeException>(() => _s.Load());
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldStartWith(_s.Dir.Combine("compose.yaml") + " line ");
        return e;
    }

    [Fact]
    public void Tmpfs_short_and_long_forms_become_nspawn_tmpfs_mounts_with_their_size_and_mode()
    {
        var m = Load("""
            services:
              a:
                image: x
                tmpfs: ["/run/app:size=16m,mode=1777", /cache]
                volumes:
                  - {type: tmpfs, target: /scratch, tmpfs: {size: 64m, mode: "0700"}}
                  - {type: tmpfs, target: /ro, read_only: true}
              b: {image: x, tmpfs: /tmp}
            """);
        m.Workloads["a"].Volumes.ShouldBe([
            new MountSpec("tmpfs", null, "/run/app", false, TmpfsSize: 16 << 20, TmpfsMode: "1777"),
            new MountSpec("tmpfs", null, "/cache", false),
            new MountSpec("tmpfs", null, "/scratch", false, TmpfsSize: 64 << 20, TmpfsMode: "0700"),
            new MountSpec("tmpfs", null, "/ro", true),
        ], ignoreOrder: true);
        m.Workloads["b"].Volumes.ShouldBe([new MountSpec("tmpfs", null, "/tmp", false)]);

        var spec = Resolver.Resolve(m, new ResolveContext("/vol", "/files", _ => null)).Services.First(s => s.Name == "a").Instances[0];
        spec.Tmpfs.ShouldBe(["/scratch:mode=0700,size=67108864", "/ro:ro", "/run/app:mode=1777,size=16777216", "/cache"], ignoreOrder: true);
        spec.Volumes.ShouldBeEmpty();
        // The config hash sees them: a new tmpfs recreates the instance; a stack without any keeps its old hash.
        var none = Instance("services:\n  a: {image: x}\n");
        Instance("services:\n  a: {image: x, tmpfs: /t}\n").Hash.ShouldNotBe(none.Hash);
        none.Tmpfs.ShouldBeEmpty();
    }

    [Fact]
    public void Config_shows_tmpfs_size_and_mode()
    {
        var tree = ConfigRenderer.Render(Load("services:\n  a: {image: x, tmpfs: ['/t:mode=755,size=1k']}\n"));
        var v = tree["services"]!["a"]!["volumes"]![0]!;
        v["type"]!.GetValue<string>().ShouldBe("tmpfs");
        v["tmpfs"]!["mode"]!.GetValue<string>().ShouldBe("755");
        v["tmpfs"]!["size"]!.GetValue<long>().ShouldBe(1024);
    }

    [Theory]
    [InlineData("services:\n  a: {image: x, tmpfs: ['/t:noexec']}\n", "tmpfs option \"noexec\" is not supported")]
    [InlineData("services:\n  a: {image: x, tmpfs: ['/t:uid=1000']}\n", "tmpfs option \"uid=1000\" is not supported")]
    [InlineData("services:\n  a: {image: x, tmpfs: ['/t:mode=999']}\n", "tmpfs mode must be octal")]
    [InlineData("services:\n  a: {image: x, tmpfs: ['/t:size=lots']}\n", "must be a size")]
    [InlineData("services:\n  a: {image: x, tmpfs: [relative]}\n", "must be absolute")]
    [InlineData("services:\n  a: {image: x, volumes: [{type: tmpfs, target: /t, tmpfs: {mode: rwx}}]}\n", "tmpfs mode must be octal")]
    [InlineData("services:\n  a: {image: x, volumes: [{type: tmpfs, target: /t, tmpfs: {noexec: true}}]}\n", "unknown key \"noexec\"")]
    public void Bad_tmpfs_entries_fail_with_their_place(string yaml, string expected) => Bad(yaml).Message.ShouldContain(expected);

    [Fact]
    public void Host_ip_publishes_on_that_address_only_and_any_address_means_every_one()
    {
        Instance("""
            services:
              a:
                image: x
                ports: ["127.0.0.1:8080:80", "0.0.0.0:8081:81", "8082:82/udp", {target: 83, published: "8083", host_ip: 127.0.0.2}, "[::]:8084:84"]
            """).Publish.ShouldBe(["127.0.0.1:8080:80", "8081:81", "8082:82/udp", "127.0.0.2:8083:83", "8084:84"]);
        // The host IP is part of the settings: moving a port to loopback recreates the instance.
        Instance("services:\n  a: {image: x, ports: ['127.0.0.1:8080:80']}\n").Hash.ShouldNotBe(Instance("services:\n  a: {image: x, ports: ['8080:80']}\n").Hash);
    }

    [Fact]
    public void An_ipv6_host_ip_is_refused_naming_the_service()
    {
        var e = Should.Throw<VoltException>(() => Instance("services:\n  a: {image: x, ports: ['[::1]:8080:80']}\n"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("services.a.ports: host_ip ::1");
    }

    [Fact]
    public void A_static_address_inside_the_subnet_reaches_the_instance()
    {
        var spec = Instance("""
            services:
              a: {image: x, networks: {back: {ipv4_address: 10.40.0.9}}}
            networks:
              back: {ipam: {config: [{subnet: 10.40.0.0/24}]}}
            """);
        spec.Networks.Single().Ipv4Address.ShouldBe("10.40.0.9");
    }

    private const string Net = "networks:\n  back: {ipam: {config: [{subnet: 10.40.0.0/24}]}}\n  auto: {}\n";

    [Theory]
    [InlineData("services:\n  a: {image: x, networks: {back: {ipv4_address: 10.41.0.9}}}\n", "line 2, column 49: services.a.networks.back.ipv4_address: 10.41.0.9 is outside network \"back\"'s subnet 10.40.0.0/24")]
    [InlineData("services:\n  a: {image: x, networks: {back: {ipv4_address: 10.40.0.1}}}\n", "10.40.0.1 is the gateway of 10.40.0.0/24")]
    [InlineData("services:\n  a: {image: x, networks: {back: {ipv4_address: 10.40.0.0}}}\n", "is the network address")]
    [InlineData("services:\n  a: {image: x, networks: {back: {ipv4_address: 10.40.0.255}}}\n", "is the broadcast address")]
    [InlineData("services:\n  a: {image: x, networks: {auto: {ipv4_address: 10.40.0.9}}}\n", "network \"auto\" needs subnet: for a static address")]
    [InlineData("services:\n  a: {image: x, deploy: {replicas: 2}, networks: {back: {ipv4_address: 10.40.0.9}}}\n", "cannot be given to deploy.replicas above 1")]
    [InlineData("services:\n  a: {image: x, deploy: {update_config: {order: start-first}}, networks: {back: {ipv4_address: 10.40.0.9}}}\n", "cannot be used with update_config.order: start-first")]
    [InlineData("services:\n  a: {image: x, networks: {back: {ipv4_address: 10.40.0.9}}}\n  b: {image: x, networks: {back: {ipv4_address: 10.40.0.9}}}\n", "line 3, column 49: services.b.networks.back.ipv4_address: 10.40.0.9 is already given to service \"a\"")]
    [InlineData("services:\n  a: {image: x, networks: {back: {ipv4_address: 10.40.0.300}}}\n", "is not an IPv4 address")]
    public void Bad_static_addresses_fail_with_their_place(string services, string expected) => Bad(services + Net).Message.ShouldContain(expected);

    [Fact]
    public void A_vm_on_two_networks_is_refused_naming_it()
    {
        var e = Should.Throw<VoltException>(() => Resolver.Resolve(Load("""
            version: "1"
            name: s
            vms:
              db: {image: debian-12, networks: [a, b]}
            networks: {a: {}, b: {}}
            """), new ResolveContext("/vol", "/files", _ => null)));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("vms.db.networks: a VM joins one network");
    }
}
