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
    [InlineData("image: a\ncommand: [\"/bin/httpd\", \"-p\", \"8080\"\n", "line 2, column 10", "never closed")]
    [InlineData("image: a\ncommand: [\"/bin/httpd\", \"-p\", \"8080\"\nports: [\"8080:80\"]\n", "line 2, column 10", "this '[' is never closed (a missing ']')")]
    [InlineData("image: a\nenv: {A: 1\nports: [x]\n", "line 2, column 6", "this '{' is never closed")]
    [InlineData("image: a\nports: 8080\n", "line 2, column 8", "ports must be a list")]
    [InlineData("image: a\nrestart: [no]\n", "line 2, column 10", "restart must be a single value")]
    [InlineData("image: a\n[x]: 1\n", "line 2, column 1", "keys must be plain names")]
    [InlineData("image: a\nimage: b\n", "line", "")]
    [InlineData("image: --privileged\n", "line 1, column 8", "not an image reference")]
    [InlineData("image: a\n---\nimage: b\n", "line 3", "only one YAML document")]
    [InlineData("image: a\ncommand: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", "line 2", "nested deeper")]
    [InlineData("image: a\n\tcommand: x\n", "line", "tab")]
    [InlineData("image: a\n? &a [*a]\n: x\n", "line 2, column 7", "cannot contain itself")]
    [InlineData("image: a\nenv: &e {A: *e}\n", "line 2, column 13", "cannot contain itself")]
    public void Errors_name_the_line(string yaml, string line, string text)
    {
        var e = Should.Throw<ManifestException>(() => ManifestParser.Parse(yaml));
        e.Message.ShouldStartWith("volt-manifest.yaml");
        e.Message.ShouldContain(line);
        e.Message.ShouldContain(text);
        e.Message.ShouldNotContain("Operation is not valid due to the current state of the object");
        e.Message.ShouldMatch(@"^volt-manifest\.yaml line \d+, column \d+: \S");
        e.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void An_unclosed_flow_list_is_a_manifest_error_not_the_librarys_exception()
    {
        // YamlDotNet throws InvalidOperationException here; it must come out as a ManifestException with a position.
        var e = Should.Throw<ManifestException>(() => ManifestParser.Parse("name: web\nimage: busybox:local\ncommand: [\"/bin/httpd\", \"-p\", \"8080\"\nenv:\n  MODE: prod\n"));
        e.Message.ShouldBe("volt-manifest.yaml line 3, column 10: this '[' is never closed (a missing ']')");
    }
}

/// <summary>A manifest error through the deployer: a failed entry with the position, flagged as invalid configuration.</summary>
public sealed class ManifestDeployTests
{
    [Theory]
    [InlineData("image: a\ncommand: [\"/bin/httpd\", \"-p\", \"8080\"\n")]
    [InlineData("image: a\nbogus: 1\n")]
    [InlineData("image: a\nports: 8080\n")]
    public async Task Every_manifest_error_becomes_a_failed_entry_after_a_success(string bad)
    {
        using var git = new GitServer();
        using var dir = new Volt.Testing.TempDir("volt-gitops-mf");
        var store = new Volt.GitOps.Pipelines.PipelineStore(dir.Combine("gitops"));
        store.Create(new Volt.GitOps.Pipelines.Pipeline { Name = "p", Repo = git.Url, Provider = "github", Branch = "main", Workload = "w", Secret = "s" });
        var deployer = new Deployer(store, new Volt.GitOps.Sources.SourceControl(new Volt.Core.Processes.ProcessRunner()), new RecordingDeployer(), TimeProvider.System);
        git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = "image: a:1\n" });
        (await deployer.RunAsync("p", new DeployRequest(null, "manual sync"), CancellationToken.None))!.Status.ShouldBe("success");
        var c2 = git.Push(new Dictionary<string, string> { ["volt-manifest.yaml"] = bad });
        var e = (await deployer.RunAsync("p", new DeployRequest(null, "manual sync"), CancellationToken.None))!;
        (e.Status, e.Commit, e.InvalidConfig).ShouldBe(("failed", c2, true));
        e.Notes.ShouldMatch(@"^volt-manifest\.yaml line \d+, column \d+: ");
        store.History("p")[0].Status.ShouldBe("failed"); // status no longer shows the previous success
    }
}
