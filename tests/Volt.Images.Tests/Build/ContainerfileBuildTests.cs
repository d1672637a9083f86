using System.Text.Json;
using Shouldly;
using Volt.Images.Tests.Fixtures;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Build;

/// <summary>
/// Real Containerfile builds with the binary: a gcc build stage on a debootstrap base, RUN on systemd-nspawn, the
/// binary copied into a scratch stage and run; the cache (a rebuild with no change, an mtime-only touch, a changed
/// file) and the bad-input rules.
/// </summary>
[Collection("builds")]
public sealed class ContainerfileBuildTests(BuildFixture fx)
{
    private const string Program = """
        #include <stdio.h>
        #include "msg.h"
        int main(void) { printf("%s %d\n", MSG, 6 * 7); return 0; }
        """;

    private const string MultiStage = """
        # syntax=docker/dockerfile:1
        ARG BASE=gcc:bookworm
        FROM ${BASE} AS build
        WORKDIR /src
        COPY hello.c msg.h ./
        RUN gcc -O2 -static -o /hello hello.c && strip /hello
        FROM scratch
        COPY --from=build /hello /usr/bin/hello
        LABEL org.example.stage="final"
        ENV GREETING=hi
        CMD ["/usr/bin/hello"]
        """;

    private string Context(string name, string msg = "hello from volt build")
    {
        var dir = fx.NewContext(name);
        File.WriteAllText(Path.Combine(dir, "hello.c"), Program);
        File.WriteAllText(Path.Combine(dir, "msg.h"), $"#define MSG \"{msg}\"\n");
        File.WriteAllText(Path.Combine(dir, "Containerfile"), MultiStage);
        File.WriteAllText(Path.Combine(dir, "ignored.txt"), "never copied\n");
        File.WriteAllText(Path.Combine(dir, ".containerignore"), "ignored.txt\n");
        return dir;
    }

    private static JsonElement Json(string stdout) => JsonDocument.Parse(stdout).RootElement.Clone();

    [Fact]
    public void MultiStage_GccBuild_Runs_RebuildIsCached_AndAChangedFileRebuildsFromItsCopy()
    {
        fx.RequireBase();
        var ctx = Context("multi");
        var first = fx.Volt("image", "build", "-t", "hello:1", ctx);
        first.Code.ShouldBe(0, first.Err);
        first.Err.ShouldContain("STEP 1/9: FROM ${BASE} AS build");
        first.Err.ShouldContain("STEP 4/9: RUN gcc -O2 -static -o /hello hello.c && strip /hello");
        first.Err.ShouldNotContain("(cached)");

        ContainerRuns.Require();
        using (var runs = new ContainerRuns(fx.Root))
        {
            var run = runs.Volt("run", "--rm", "hello:1");
            run.Code.ShouldBe(0, run.Err);
            run.Out.ShouldContain("hello from volt build 42");
        }

        var again = fx.Volt("image", "build", "-t", "hello:2", ctx, "-o", "json");
        again.Code.ShouldBe(0, again.Err);
        var j = Json(again.Out);
        j.GetProperty("cached").GetInt32().ShouldBe(3, "both COPYs and the RUN come from the cache");
        var inspect1 = Json(fx.Volt("image", "inspect", "hello:1", "-o", "json").Out);
        j.GetProperty("tree").GetString().ShouldBe(inspect1.GetProperty("tree").GetString());

        // An mtime-only touch changes no content digest: still fully cached.
        File.SetLastWriteTimeUtc(Path.Combine(ctx, "msg.h"), DateTime.UtcNow.AddMinutes(5));
        var touched = fx.Volt("image", "build", "-t", "hello:3", ctx);
        touched.Code.ShouldBe(0, touched.Err);
        touched.Err.ShouldContain("STEP 3/9: COPY hello.c msg.h ./ (cached)");
        touched.Err.ShouldContain("STEP 4/9: RUN gcc -O2 -static -o /hello hello.c && strip /hello (cached)");

        // A changed file: its COPY and everything after it run again; the steps before stay cached.
        File.WriteAllText(Path.Combine(ctx, "msg.h"), "#define MSG \"changed\"\n");
        var changed = fx.Volt("image", "build", "-t", "hello:4", ctx);
        changed.Code.ShouldBe(0, changed.Err);
        changed.Err.ShouldContain("STEP 3/9: COPY hello.c msg.h ./\n");
        changed.Err.ShouldNotContain("STEP 4/9: RUN gcc -O2 -static -o /hello hello.c && strip /hello (cached)");
        using (var runs = new ContainerRuns(fx.Root))
        {
            var run = runs.Volt("run", "--rm", "hello:4");
            run.Code.ShouldBe(0, run.Err);
            run.Out.ShouldContain("changed 42");
        }

        var history = fx.Volt("image", "history", "hello:4", "-o", "json");
        history.Code.ShouldBe(0, history.Err);
        var steps = Json(history.Out).EnumerateArray().Select(e => e.GetProperty("created_by").GetString()).ToList();
        steps[0].ShouldBe("CMD [\"/usr/bin/hello\"]");
        steps.ShouldContain("COPY --from=build /hello /usr/bin/hello");
        var cfg = Json(fx.Volt("image", "inspect", "hello:4", "-o", "json").Out);
        cfg.GetRawText().ShouldContain("GREETING=hi");
    }

    [Fact]
    public void IgnoredFiles_AreNotInTheContext()
    {
        fx.RequireBase();
        var ctx = Context("ignore");
        File.WriteAllText(Path.Combine(ctx, "Containerfile"), "FROM gcc:bookworm\nCOPY ignored.txt /x\n");
        var r = fx.Volt("image", "build", "-t", "ign:1", ctx);
        r.Code.ShouldBe(3, r.Err);
        r.Err.ShouldContain("excluded by the ignore file");
    }

    [Fact]
    public void FailingRun_StopsWithItsExitCodeAndLastLines_TagsNothing_CachesNothing()
    {
        fx.RequireBase();
        var ctx = fx.NewContext("fail");
        File.WriteAllText(Path.Combine(ctx, "Containerfile"), "FROM gcc:bookworm\nRUN echo first-line && echo 'the last words' && exit 7\nCMD [\"true\"]\n");
        var cacheRefs = CacheRefs();
        var r = fx.Volt("image", "build", "-t", "broken:1", ctx);
        r.Code.ShouldBe(1, r.Err);
        r.Err.ShouldContain("RUN exited with code 7");
        r.Err.ShouldContain("the last words");
        r.Err.ShouldContain("Containerfile:2:");
        fx.Volt("image", "inspect", "broken:1").Code.ShouldBe(3);
        CacheRefs().ShouldBe(cacheRefs);
        Directory.EnumerateFileSystemEntries(Path.Combine(fx.Root, "var/lib/volt/build")).ShouldBeEmpty("the step's work dir is gone");
    }

    [Fact]
    public void BadInput_SyntaxOutsideContextAndUnknownFrom_ExitCodes()
    {
        fx.RequireBase();
        var ctx = fx.NewContext("bad");
        File.WriteAllText(Path.Combine(ctx, "a.txt"), "a");
        var outside = Path.Combine(Path.GetDirectoryName(ctx)!, "outside-secret.txt");
        File.WriteAllText(outside, "secret");
        File.CreateSymbolicLink(Path.Combine(ctx, "escape"), outside);
        File.CreateSymbolicLink(Path.Combine(ctx, "escape-rel"), "../outside-secret.txt");

        (int, string) Build(string containerfile)
        {
            File.WriteAllText(Path.Combine(ctx, "Containerfile"), containerfile);
            var r = fx.Volt("image", "build", "-t", "bad:1", ctx);
            return (r.Code, r.Err);
        }

        var syntax = Build("FROM gcc:bookworm\nCOPY a.txt /a\nRUNN make\n");
        syntax.Item1.ShouldBe(12);
        syntax.Item2.ShouldContain("Containerfile:3: RUNN: unknown instruction");

        foreach (var src in new[] { "../outside-secret.txt", "escape", "escape-rel" })
        {
            var r = Build($"FROM gcc:bookworm\nCOPY {src} /x\n");
            r.Item1.ShouldBe(12, r.Item2);
            r.Item2.ShouldContain("outside the build context");
        }

        var unknown = Build("FROM no-such-image:1\nRUN true\n");
        unknown.Item1.ShouldBe(3, unknown.Item2);
        unknown.Item2.ShouldContain("no-such-image:1");
        fx.Volt("image", "inspect", "bad:1").Code.ShouldBe(3);
    }

    private List<string> CacheRefs()
    {
        var cas = new CasStore(Path.Combine(fx.Root, "var/lib/volt/cas"));
        return [.. cas.Refs.List("build/cache").Select(r => r.Name).Order(StringComparer.Ordinal)];
    }
}
