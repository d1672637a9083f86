using System.Text.Json;
using Shouldly;
using Volt.Images.Tests.Fixtures;
using Xunit;

namespace Volt.Images.Tests.Cli;

/// <summary>The <c>volt image</c> commands run as the real binary against the test's VOLT root.</summary>
public sealed class ImageCliTests : ImageTestBase
{
    private string BusyboxDir()
    {
        var rootfs = Temp.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "bin", "sh"), "busybox");
        return rootfs;
    }

    [Fact]
    public void BuildListInspectTagRm_WithOutputFormatsAndAudit()
    {
        var (code, _, err) = Volt("image", "build-from-dir", BusyboxDir(), "--name", "bb:1", "--cmd", "/bin/sh -c true", "--port", "80");
        code.ShouldBe(0, err);
        Volt("image", "tag", "bb:1", "bb:2").Code.ShouldBe(0);

        var list = Volt("image", "list", "-o", "json");
        list.Code.ShouldBe(0, list.Err);
        using (var doc = JsonDocument.Parse(list.Out))
            doc.RootElement.EnumerateArray().Select(r => r.GetProperty("tag").GetString()).ShouldBe(["1", "2"]);
        var table = Volt("image", "list").Out;
        table.ShouldStartWith("NAME");
        table.ShouldContain("CREATED");
        Volt("image", "ls", "-o", "yaml").Out.ShouldContain("name: bb");

        var inspect = Volt("image", "inspect", "bb:2", "-o", "json");
        using (var doc = JsonDocument.Parse(inspect.Out))
        {
            doc.RootElement.GetProperty("cmd").EnumerateArray().Select(e => e.GetString()).ShouldBe(["/bin/sh", "-c", "true"]);
            doc.RootElement.GetProperty("exposed_ports")[0].GetString().ShouldBe("80/tcp");
        }
        Volt("image", "inspect", "bb:1", "-o", "yaml").Out.ShouldContain("cmd:");

        Volt("image", "rm", "bb:1").Code.ShouldBe(0);
        var gone = Volt("image", "inspect", "bb:1");
        gone.Code.ShouldBe(3);
        gone.Err.ShouldContain("bb:1");
        var audit = File.ReadAllText(Paths.AuditLog);
        audit.ShouldContain("image.build");
        audit.ShouldContain("image.tag");
        audit.ShouldContain("image.rm");
    }

    [Fact]
    public void UnknownImage_Exit3_NamingIt_ForEveryCommand()
    {
        foreach (var args in new[] { new[] { "image", "inspect", "nope:1" }, ["image", "rm", "nope:1"], ["image", "tag", "nope:1", "x:1"], ["image", "push", "127.0.0.1:1/nope:1"] })
        {
            var r = Volt(args);
            r.Code.ShouldBe(3, string.Join(' ', args) + ": " + r.Err);
            r.Err.ShouldContain("nope");
        }
    }

    [Fact]
    public void Help_HasExamples()
    {
        foreach (var cmd in new[] { "pull", "import", "build-from-dir", "list", "inspect", "rm", "tag", "push" })
        {
            var r = Volt("image", cmd, "--help");
            r.Code.ShouldBe(0, cmd);
            r.Out.ShouldContain("Examples", Case.Insensitive, cmd);
        }
    }

    [Fact]
    public void ImportLayout_ThroughTheCli()
    {
        var dir = OciLayoutWriter.Single(Temp.Combine("layout"), "1.36", (LayerBuilder.Busybox(), Compression.Gzip));
        var r = Volt("image", "import", dir + ":1.36", "--name", "busybox:1.36", "-o", "json");
        r.Code.ShouldBe(0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        doc.RootElement.GetProperty("ref").GetString().ShouldBe("images/busybox/1.36");
        Volt("image", "import", Temp.Combine("missing")).Code.ShouldBe(3);
        File.ReadAllText(Paths.AuditLog).ShouldContain("image.import");
    }
}
