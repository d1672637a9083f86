using Shouldly;
using Volt.Images.Build;
using Xunit;

namespace Volt.Images.Tests.Build;

public sealed class IgnoreRulesTests
{
    [Fact]
    public void Patterns_Exclude_DirectoriesWithTheirContents_AndBangReincludes()
    {
        var r = new IgnoreRules(["# comment", "node_modules", "*.log", "!keep.log", "**/*.tmp", "/build/", "docs/[a-c]*.md"]);
        r.Ignored("node_modules").ShouldBeTrue();
        r.Ignored("node_modules/x/y.js").ShouldBeTrue();
        r.Ignored("app.log").ShouldBeTrue();
        r.Ignored("keep.log").ShouldBeFalse();
        r.Ignored("src/app.log").ShouldBeFalse("* stays within one segment");
        r.Ignored("a/b/c.tmp").ShouldBeTrue();
        r.Ignored("x.tmp").ShouldBeTrue();
        r.Ignored("build/out.o").ShouldBeTrue();
        r.Ignored("docs/api.md").ShouldBeTrue();
        r.Ignored("docs/zeta.md").ShouldBeFalse();
        r.Ignored("src/main.c").ShouldBeFalse();
    }

    [Fact]
    public void ContainerIgnore_WinsOverDockerIgnore()
    {
        using var t = new Volt.Testing.TempDir("volt-ignore");
        t.Write(".dockerignore", "a\n");
        t.Write(".containerignore", "b\n");
        var r = IgnoreRules.Load(t.Path);
        r.Ignored("b").ShouldBeTrue();
        r.Ignored("a").ShouldBeFalse();
    }
}
