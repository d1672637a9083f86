using Shouldly;
using Xunit;

namespace Volt.Registry.Tests.Clients;

/// <summary>podman and buildah with private storage (<c>--root</c>, <c>--runroot</c>, vfs) against the registry.</summary>
public sealed class PodmanTests : RegistryTestBase
{
    private string[] Storage(string tool) =>
    [
        "--root", Path.Combine(Root, tool, "root"), "--runroot", Path.Combine(Root, tool, "run"), "--storage-driver", "vfs",
        .. tool == "podman" ? new[] { "--cgroup-manager", "cgroupfs", "--events-backend", "file" } : [],
    ];

    private Dictionary<string, string?> Env => new()
    {
        ["REGISTRY_AUTH_FILE"] = Path.Combine(Root, "auth.json"),
        ["XDG_RUNTIME_DIR"] = Path.Combine(Root, "xdg"),
    };

    private Task<Volt.Core.Processes.ProcessResult> Run(string tool, params string[] args)
    {
        var auth = Path.Combine(Root, "auth.json");
        if (!File.Exists(auth)) File.WriteAllText(auth, "{}"); // buildah insists the auth file exists
        return Tools.RunAsync(tool, [.. Storage(tool), .. args], Env);
    }

    [Fact]
    public async Task Podman_LogsInWithAToken_BuildsFromScratch_PushesAndPullsBack()
    {
        Tools.Require("podman");
        Directory.CreateDirectory(Path.Combine(Root, "xdg"));
        var ctxDir = Directory.CreateDirectory(Path.Combine(Root, "build")).FullName;
        await File.WriteAllTextAsync(Path.Combine(ctxDir, "hello.txt"), "hello from volt\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(ctxDir, "Containerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n", Ct);
        var image = $"{Server.HostPort}/podman/hello:v1";

        var badLogin = await Run("podman", "login", "--tls-verify=false", "-u", "ci", "-p", "not-a-token", Server.HostPort);
        badLogin.ExitCode.ShouldNotBe(0, "a wrong token must not log in");
        var login = await Run("podman", "login", "--tls-verify=false", "-u", "ci", "-p", PushToken(), Server.HostPort);
        login.ExitCode.ShouldBe(0, Tools.Describe(login));

        var build = await Run("podman", "build", "-q", "-t", image, ctxDir);
        build.ExitCode.ShouldBe(0, Tools.Describe(build));
        var push = await Run("podman", "push", "--tls-verify=false", image);
        push.ExitCode.ShouldBe(0, Tools.Describe(push));
        (await Run("podman", "rmi", image)).ExitCode.ShouldBe(0);

        var pull = await Run("podman", "pull", "--tls-verify=false", image);
        pull.ExitCode.ShouldBe(0, Tools.Describe(pull));
        var list = await Run("podman", "images", "--format", "{{.Repository}}:{{.Tag}}");
        list.StdOut.ShouldContain(image);
    }

    [Fact]
    public async Task Buildah_CommitsFromScratch_PushesWithCreds_AndPulls()
    {
        Tools.Require("buildah");
        var file = Path.Combine(Root, "data.txt");
        await File.WriteAllTextAsync(file, "buildah layer\n", Ct);
        var from = await Run("buildah", "from", "scratch");
        from.ExitCode.ShouldBe(0, Tools.Describe(from));
        var container = from.StdOut.Trim();
        (await Run("buildah", "copy", container, file, "/data.txt")).ExitCode.ShouldBe(0);
        var image = $"{Server.HostPort}/buildah/data:v1";
        var commit = await Run("buildah", "commit", container, "localhost/data:v1");
        commit.ExitCode.ShouldBe(0, Tools.Describe(commit));

        var push = await Run("buildah", "push", "--tls-verify=false", "--creds", $"ci:{PushToken()}", "localhost/data:v1", $"docker://{image}");
        push.ExitCode.ShouldBe(0, Tools.Describe(push));
        var pull = await Run("buildah", "pull", "--tls-verify=false", image);
        pull.ExitCode.ShouldBe(0, Tools.Describe(pull));
        (await Anonymous.GetAsync("/v2/buildah/data/manifests/v1", Ct)).IsSuccessStatusCode.ShouldBeTrue();
    }
}
