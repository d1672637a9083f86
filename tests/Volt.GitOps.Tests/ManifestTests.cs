using Shouldly;
using Volt.GitOps.Deploy;
using Xunit;

namespace Volt.GitOps.Tests;

public sealed class ManifestTests
{
    [Fact]
    public void Full_manifest_parses()
    {
        var m = ManifestParser.Parse("""
            kind: container
            name: web
            image: busybox:local
            command: ["/bin/httpd", "-f", "-p", "8080"]
            env:
              MODE: prod
              LEVEL: "3"
            ports: ["8080:8080"]
            volumes: ["/srv/data:/data:ro"]
            resources: { memory: 256M, cpu: 50, pids: 100 }
            restart: on-failure
            """);
        m.Image.ShouldBe("busybox:local");
        m.Command.ShouldBe(["/bin/httpd", "-f", "-p", "8080"]);
        m.Env.ShouldBe(["MODE=prod", "LEVEL=3"]);
        m.Ports.ShouldBe(["8080:8080"]);
        (m.Memory, m.Cpu, m.Pids, m.Restart).ShouldBe(("256M", "50", "100", "on-failure"));
    }

    [Fact]
    public void Command_string_and_env_list_forms()
    {
        var m = ManifestParser.Parse("build: rootfs\ncommand: sleep 1000\nenv: [A=1, B=2]\n");
        m.Build.ShouldBe("rootfs");
        m.Command.ShouldBe(["sleep", "1000"]);
        m.Env.ShouldBe(["A=1", "B=2"]);
    }

    [Theory]
    [InlineData("image: a\nbogus: 1\n", "line 2", "unknown key \"bogus\"")]
    [InlineData("image: a\nenv:\n  A: 1\n B: 2\n", "line 4", "")]
    [InlineData("image: a\nrestart: sometimes\n", "line 2", "restart must be")]
    [InlineData("command: [sleep]\n", "line 1", "exactly one of image: or build:")]
    [InlineData("image: a\nbuild: b\n", "line 1", "exactly one")]
    [InlineData("build: ../x\n", "line 1", "inside the repository")]
    [InlineData("- a\n- b\n", "line 1", "expected a mapping")]
    [InlineData("image: a\nresources: { disk: 1G }\n", "line 2", "unknown resource")]
    public void Errors_name_the_line(string yaml, string line, string text)
    {
        var e = Should.Throw<ManifestException>(() => ManifestParser.Parse(yaml));
        e.Message.ShouldStartWith("volt-manifest.yaml");
        e.Message.ShouldContain(line);
        e.Message.ShouldContain(text);
    }
}
