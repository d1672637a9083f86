using Shouldly;
using Volt.Compose.Model;
using Volt.Compose.Parsing;
using Volt.Compose.Planning;
using Volt.Core.Errors;

namespace Volt.Compose.Tests.Loading;

/// <summary><c>cap_add</c>, <c>cap_drop</c>, <c>security_opt</c> and <c>x-volt-sandbox</c>: parsed, merged, shown, hashed.</summary>
public sealed class SandboxKeysTests : IDisposable
{
    private readonly Stacks _s = new();
    public void Dispose() => _s.Dispose();

    private const string Base = """
        services:
          web:
            image: nginx-light
            cap_add: [NET_BIND_SERVICE]
            cap_drop: [ALL]
            security_opt: [seccomp=strict, no-new-privileges:true]
            x-volt-sandbox: { landlock: unconfined }
        """;

    [Fact]
    public void Parses_the_sandbox_keys_and_config_shows_them()
    {
        _s.Write("compose.yaml", Base);
        var w = _s.Load().Workloads["web"];
        w.CapAdd.ShouldBe(["NET_BIND_SERVICE"]);
        w.CapDrop.ShouldBe(["ALL"]);
        w.SecurityOpt.ShouldBe(["seccomp=strict", "no-new-privileges:true"]);
        w.Sandbox["landlock"].ShouldBe("unconfined");
        var json = ConfigRenderer.Render(_s.Load()).ToJsonString();
        json.ShouldContain("\"cap_add\":[\"NET_BIND_SERVICE\"]");
        json.ShouldContain("\"x-volt-sandbox\":{\"landlock\":\"unconfined\"}");
    }

    [Fact]
    public void An_override_file_appends_capabilities_and_the_instance_hash_changes()
    {
        _s.Write("compose.yaml", Base);
        _s.Write("over.yaml", "services:\n  web:\n    cap_add: [SETUID, NET_BIND_SERVICE]\n");
        var merged = _s.Load("compose.yaml", "over.yaml").Workloads["web"];
        merged.CapAdd.ShouldBe(["NET_BIND_SERVICE", "SETUID"]);
        var ctx = new ResolveContext("/vol", "/files", _ => null);
        var one = Resolver.Resolve(_s.Load("compose.yaml"), ctx).Services[0].Instances[0];
        var two = Resolver.Resolve(_s.Load("compose.yaml", "over.yaml"), ctx).Services[0].Instances[0];
        two.CapAdd.ShouldBe(["NET_BIND_SERVICE", "SETUID"]);
        two.Hash.ShouldNotBe(one.Hash);
    }

    [Fact]
    public void A_service_without_sandbox_keys_keeps_the_hash_it_had_before_they_existed()
    {
        var spec = new InstanceSpec { Name = "s-web-1", Service = "web", Image = "img" };
        (spec with { CapAdd = [] }).Hash.ShouldBe(spec.Hash);
        (spec with { CapAdd = ["CHOWN"] }).Hash.ShouldNotBe(spec.Hash);
    }

    [Theory]
    [InlineData("cap_add: NET_ADMIN", "services.web.cap_add")]
    [InlineData("security_opt: {seccomp: strict}", "services.web.security_opt")]
    [InlineData("x-volt-sandbox: strict", "services.web.x-volt-sandbox")]
    public void Wrong_types_are_exit_12_with_the_place(string line, string path)
    {
        _s.Write("compose.yaml", $"services:\n  web:\n    image: x\n    {line}\n");
        var e = Should.Throw<ComposeException>(() => _s.Load());
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldContain("line 4");
        e.Message.ShouldContain(path);
    }
}
