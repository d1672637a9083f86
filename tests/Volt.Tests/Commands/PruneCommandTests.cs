using System.Text.Json.Nodes;
using Shouldly;
using Volt.Rendering;
using Xunit;

namespace Volt.Tests.Commands;

/// <summary>image prune, system prune and system df against a private root (images built from directories).</summary>
public sealed class PruneCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public PruneCommandTests()
    {
        // No grace: objects a test just wrote may be swept.
        _cli.Dir.Write("root/etc/volt/config.yaml", "cas:\n  gc_grace: 0s\n");
        _cli.Env["VOLT_CONFIG"] = _cli.Dir.Combine("root/etc/volt/config.yaml");
    }

    public void Dispose() => _cli.Dispose();

    private void Image(string name, string content)
    {
        _cli.Dir.Write($"src-{content}/data.txt", content);
        var r = _cli.Run("image", "build-from-dir", _cli.Dir.Combine($"src-{content}"), "--name", name);
        r.Code.ShouldBe(0, r.ToString());
    }

    [Fact]
    public void Without_a_terminal_and_without_f_prune_refuses_with_exit_2()
    {
        Image("a:1", "alpha");
        var r = _cli.Run("image", "prune", "--all");
        r.Code.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("use -f");
        _cli.Run("system", "prune", "--all").Code.ShouldBe(2);
        _cli.Run("images", "-o", "json").Out.ShouldContain("\"a\"", customMessage: "nothing removed");
    }

    [Fact]
    public void On_a_terminal_prune_shows_what_it_removes_and_asks()
    {
        Image("a:1", "alpha");
        var no = new TestConsole { IsInputTerminal = true };
        no.Input.Enqueue("n");
        _cli.Run(no, "image", "prune", "--all").Code.ShouldBe(0);
        no.StdErr.ShouldContain("a:1");
        no.StdErr.ShouldContain("[y/N]");
        _cli.Run("images", "-o", "json").Out.ShouldContain("\"a\"");

        var yes = new TestConsole { IsInputTerminal = true };
        yes.Input.Enqueue("y");
        _cli.Run(yes, "image", "prune", "--all").Code.ShouldBe(0, yes.StdErr);
        JsonNode.Parse(_cli.Run("images", "-o", "json").Out)!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public void Image_prune_all_f_removes_unused_images_and_their_objects_and_reports_json()
    {
        Image("a:1", "alpha");
        Image("b:1", "beta-beta");
        var before = JsonNode.Parse(_cli.Run("cas", "status", "-o", "json").Out)!["objects"]!.GetValue<long>();
        var r = _cli.Run("image", "prune", "--all", "-f", "-o", "json");
        r.Code.ShouldBe(0, r.ToString());
        var o = JsonNode.Parse(r.Out)!;
        o["images_removed"]!.AsArray().Select(n => (string)n!).Order().ShouldBe(["a:1", "b:1"]);
        o["cas_objects_removed"]!.GetValue<long>().ShouldBe(before);
        o["reclaimed"]!.GetValue<long>().ShouldBeGreaterThan(0);
        JsonNode.Parse(_cli.Run("cas", "status", "-o", "json").Out)!["objects"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public void Image_prune_without_all_keeps_tagged_images()
    {
        Image("a:1", "alpha");
        var r = _cli.Run("image", "prune", "-f", "-o", "yaml");
        r.Code.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("images_removed: []");
        _cli.Run("images", "-o", "json").Out.ShouldContain("\"a\"");
    }

    [Fact]
    public void System_df_counts_images_containers_and_cas_objects()
    {
        Image("a:1", "alpha");
        _cli.Run("cas", "build", _cli.Dir.Combine("src-alpha"), "--ref", "other/x").Code.ShouldBe(0);
        _cli.Dir.Write("loose/z.txt", "unreferenced");
        _cli.Run("cas", "put", _cli.Dir.Combine("loose/z.txt")).Code.ShouldBe(0);
        var r = _cli.Run("system", "df", "-o", "json");
        r.Code.ShouldBe(0, r.ToString());
        var rows = JsonNode.Parse(r.Out)!.AsArray();
        rows.Select(n => (string)n!["type"]!).ShouldBe(["Images", "Containers", "CAS objects"]);
        var images = rows[0]!;
        images["total"]!.GetValue<long>().ShouldBe(1);
        images["active"]!.GetValue<long>().ShouldBe(0);
        images["size"]!.GetValue<long>().ShouldBeGreaterThan(0);
        // The image's file is also reached by another ref: only its record and tree go with it.
        images["reclaimable"]!.GetValue<long>().ShouldBeLessThan(images["size"]!.GetValue<long>());
        rows[1]!["total"]!.GetValue<long>().ShouldBe(0);
        var cas = rows[2]!;
        cas["total"]!.GetValue<long>().ShouldBeGreaterThan(cas["active"]!.GetValue<long>());
        cas["reclaimable"]!.GetValue<long>().ShouldBe("unreferenced".Length);
        var table = _cli.Run("system", "df");
        table.Out.ShouldStartWith("TYPE");
        table.Out.ShouldContain("RECLAIMABLE");
    }

    [Fact]
    public void System_prune_f_frees_unreferenced_objects()
    {
        _cli.Dir.Write("loose/z.txt", "unreferenced");
        _cli.Run("cas", "put", _cli.Dir.Combine("loose/z.txt")).Code.ShouldBe(0);
        var r = _cli.Run("system", "prune", "-f", "-o", "json");
        r.Code.ShouldBe(0, r.ToString());
        var o = JsonNode.Parse(r.Out)!;
        o["cas_objects_removed"]!.GetValue<long>().ShouldBe(1);
        o["reclaimed"]!.GetValue<long>().ShouldBe("unreferenced".Length);
        o["containers_removed"]!.AsArray().ShouldBeEmpty();
    }
}
