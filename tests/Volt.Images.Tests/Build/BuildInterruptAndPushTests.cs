using System.Diagnostics;
using System.Text.Json;
using Shouldly;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Build;

/// <summary>Ctrl-C in the middle of a RUN, and a built image pushed to Volt's registry, pulled into another root and run.</summary>
[Collection("builds")]
public sealed class BuildInterruptAndPushTests(BuildFixture fx)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CtrlC_MidRun_RemovesTheStepContainer_Exits13_CachesOnlyCompletedSteps()
    {
        fx.RequireBase();
        var ctx = fx.NewContext("sigint");
        File.WriteAllText(Path.Combine(ctx, "a.txt"), Guid.NewGuid().ToString());
        File.WriteAllText(Path.Combine(ctx, "Containerfile"), "FROM gcc:bookworm\nCOPY a.txt /a.txt\nRUN echo started-sleeping && sleep 300\n");
        var cas = new CasStore(Path.Combine(fx.Root, "var/lib/volt/cas"));
        var before = cas.Refs.List("build/cache").Count;

        var psi = new ProcessStartInfo(VoltBinary.Path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "image", "build", "-t", "sleepy:1", ctx }) psi.ArgumentList.Add(a);
        psi.Environment["VOLT_ROOT"] = fx.Root;
        psi.Environment["VOLT_COLOR"] = "never";
        using var p = Process.Start(psi)!;
        var started = new TaskCompletionSource();
        var err = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (err) err.AppendLine(e.Data);
            if (e.Data == "started-sleeping") started.TrySetResult(); // the output line, not the STEP line naming it
        };
        p.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromMinutes(3), Ct);
            var nspawn = NspawnPids(fx.Root);
            nspawn.ShouldNotBeEmpty("the RUN step runs in an nspawn container");
            LibCKill(p.Id, 2);
            await p.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);
            lock (err) p.ExitCode.ShouldBe(13, err.ToString());
            foreach (var pid in nspawn) Directory.Exists($"/proc/{pid}").ShouldBeFalse($"nspawn {pid} is gone");
            NspawnPids(fx.Root).ShouldBeEmpty();
            Directory.EnumerateFileSystemEntries(Path.Combine(fx.Root, "var/lib/volt/build")).ShouldBeEmpty("the step's overlay and dirs are gone");
            cas.Refs.List("build/cache").Count.ShouldBe(before + 1, "the COPY completed and is cached; the interrupted RUN is not");
            fx.Volt("image", "inspect", "sleepy:1").Code.ShouldBe(3);
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task BuiltImage_PushesWithVerifiableDigests_PullsBack_AndRuns()
    {
        fx.RequireBase();
        TestEnv.RequireTool("skopeo");
        var ctx = fx.NewContext("push");
        File.WriteAllText(Path.Combine(ctx, "hello.c"), "#include <stdio.h>\nint main(void){puts(\"pushed and pulled\");return 0;}\n");
        File.WriteAllText(Path.Combine(ctx, "Containerfile"),
            "FROM gcc:bookworm AS b\nCOPY hello.c /\nRUN gcc -static -o /hello /hello.c\nFROM scratch\nCOPY --from=b /hello /usr/bin/hello\nENTRYPOINT [\"/usr/bin/hello\"]\n");
        var build = fx.Volt("image", "build", "-t", "pushme:1", ctx);
        build.Code.ShouldBe(0, build.Err);

        using var temp = new TempDir("volt-build-push");
        await using var registry = await VoltRegistry.StartAsync(temp.Combine("registry-root"), Ct);
        var dest = $"{registry.Host}/built/pushme:1";
        var push = fx.Volt("image", "push", dest, "--image", "pushme:1", "--creds", registry.PushCreds, "-o", "json");
        push.Code.ShouldBe(0, push.Err);
        var manifest = JsonDocument.Parse(push.Out).RootElement.GetProperty("manifest").GetString()!;

        // skopeo fetches every blob and checks it against its digest.
        var copy = TestEnv.Run("skopeo", "copy", "--src-tls-verify=false", "--src-creds", registry.PushCreds, $"docker://{dest}", "oci:" + temp.Combine("layout") + ":x");
        copy.Code.ShouldBe(0, copy.Err);
        var inspect = TestEnv.Run("skopeo", "inspect", "--tls-verify=false", "--creds", registry.PushCreds, $"docker://{dest}");
        inspect.Code.ShouldBe(0, inspect.Err);
        JsonDocument.Parse(inspect.Out).RootElement.GetProperty("Digest").GetString().ShouldBe(manifest);

        var other = temp.Combine("root-b");
        Directory.CreateDirectory(other);
        var pull = VoltBinary.Run(other, "image", "pull", dest, "--creds", registry.PushCreds);
        pull.Code.ShouldBe(0, pull.Err);
        await registry.StopAsync();
        ContainerRuns.Require();
        using var runs = new ContainerRuns(other);
        var run = runs.Volt("run", "--rm", dest);
        run.Code.ShouldBe(0, run.Err);
        run.Out.ShouldContain("pushed and pulled");
    }

    private static List<int> NspawnPids(string root)
    {
        var build = Path.Combine(root, "var/lib/volt/build");
        var pids = new List<int>();
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            try
            {
                var cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Split('\0');
                if (cmd.Length > 0 && Path.GetFileName(cmd[0]) == "systemd-nspawn" && cmd.Any(a => a.StartsWith(build, StringComparison.Ordinal))) pids.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return pids;
    }

    private static void LibCKill(int pid, int sig) => TestEnv.Run("kill", "-" + sig.ToString(System.Globalization.CultureInfo.InvariantCulture), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
