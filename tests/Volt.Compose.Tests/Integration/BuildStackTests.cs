using Shouldly;
using Volt.Testing;

namespace Volt.Compose.Tests.Integration;

/// <summary>
/// compose's <c>build:</c> on <c>up</c>: a service without <c>image:</c> whose context holds a Containerfile is built
/// with Volt's image builder (FROM an image in the store, a COPY from the context) and tagged <c>STACK-SERVICE:latest</c>;
/// the container runs what was built; a second <c>up</c> builds nothing and changes nothing.
/// </summary>
public sealed class BuildStackTests
{
    [Fact]
    public void Up_builds_a_service_without_an_image_from_its_context_once()
    {
        TestEnv.RequireRoot("containers need mounts, cgroups and systemd-nspawn");
        TestEnv.RequireTool("systemd-nspawn");
        using var dir = new TempDir("compose-build");
        var root = dir.Combine("root");
        var env = new Dictionary<string, string> { ["VOLT_ROOT"] = root, ["VOLT_COLOR"] = "never" };
        (int Code, string Out, string Err) Volt(params string[] a) => TestEnv.Run(VoltBinary.Path, a, env, null);
        Busybox.Create(dir.Combine("image"));
        Volt("image", "build-from-dir", dir.Combine("image"), "--name", "bb:1").Code.ShouldBe(0);
        dir.Write("stack/app/Containerfile", "FROM bb:1\nCOPY hello.txt /hello.txt\n");
        dir.Write("stack/app/hello.txt", "built by volt compose\n");
        dir.Write("stack/compose.yaml", """
            name: bld
            services:
              web:
                build: ./app
                command: [sh, -c, "cat /hello.txt; exec sleep 600"]
                network_mode: none
            """);
        (int Code, string Out, string Err) Compose(params string[] a) => Volt(["compose", "-f", dir.Combine("stack", "compose.yaml"), .. a]);
        try
        {
            var up = Compose("up", "-d");
            up.Code.ShouldBe(0, up.Out + up.Err);
            up.Out.ShouldContain("web (bld-web-1): built");
            Volt("image", "list").Out.ShouldContain("bld-web");

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var logs = Compose("logs", "web");
            while (!logs.Out.Contains("built by volt compose", StringComparison.Ordinal))
            {
                deadline.IsCancellationRequested.ShouldBeFalse($"waited 30 s for the built file in web's logs; last: {logs.Out}{logs.Err}");
                Thread.Sleep(100);
                logs = Compose("logs", "web");
            }

            var again = Compose("up", "-d");
            again.Code.ShouldBe(0, again.Out + again.Err);
            again.Out.ShouldNotContain("created");
            Compose("down").Code.ShouldBe(0);
            Volt("container", "list").Out.ShouldNotContain("bld-");
        }
        finally
        {
            Compose("down", "-v");
            var pidFile = Path.Combine(root, "var/run/volt/volt.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) TestEnv.Run("kill", "-9", pid.ToString());
        }
    }
}
