using System.Text.Json.Nodes;
using Shouldly;
using Xunit;

namespace Volt.Tests.Commands;

public sealed class CasCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Tree()
    {
        _cli.Dir.Write("tree/a.txt", "alpha");
        _cli.Dir.Write("tree/sub/b.txt", "beta");
        _cli.Dir.Write("tree/sub/c.txt", "alpha");
        return _cli.Dir.Combine("tree");
    }

    [Fact]
    public void Build_PrintsSummaryAndStatusCountsIt()
    {
        var r = _cli.Run("cas", "build", Tree(), "--ref", "images/t", "-o", "json");
        r.Code.ShouldBe(0, r.ToString());
        var o = JsonNode.Parse(r.Out)!;
        o["files"]!.GetValue<long>().ShouldBe(3);
        o["new_objects"]!.GetValue<long>().ShouldBe(3); // alpha, beta, manifest
        o["deduplicated_bytes"]!.GetValue<long>().ShouldBe(5);
        var s = JsonNode.Parse(_cli.Run("cas", "status", "-o", "json").Out)!;
        s["objects"]!.GetValue<long>().ShouldBe(3);
        s["refs"]!.GetValue<long>().ShouldBe(1);
        s["logical_bytes"]!.GetValue<long>().ShouldBe(14);
    }

    [Fact]
    public void Build_TableOutput_IsHumanReadable()
    {
        var r = _cli.Run("cas", "build", Tree());
        r.Code.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("Ref:");
        r.Out.ShouldContain("images/tree");
        r.Out.ShouldContain("Deduplicated bytes:");
    }

    [Fact]
    public void Build_MissingDir_Exits3NamingIt()
    {
        var r = _cli.Run("cas", "build", "/no/such/dir");
        r.Code.ShouldBe(3);
        r.Err.ShouldContain("/no/such/dir");
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("/images/abs")]
    [InlineData("images/a\0b")]
    public void Build_BadRefName_Exits2(string refName) => _cli.Run("cas", "build", Tree(), "--ref", refName).Code.ShouldBe(2);

    [Fact]
    public void PutCat_RoundTripsAndPrintsBlake3Digest()
    {
        var file = _cli.Dir.Write("f.bin", "payload");
        var put = _cli.Run("cas", "put", file);
        put.Code.ShouldBe(0, put.ToString());
        var digest = put.Out.Trim();
        digest.ShouldStartWith("blake3:");
        _cli.Run("cas", "cat", digest).Out.ShouldBe("payload");
    }

    [Fact]
    public void Cat_UnknownDigest_Exits3AndMalformed_Exits2()
    {
        _cli.Run("cas", "cat", "blake3:" + new string('0', 64)).Code.ShouldBe(3);
        _cli.Run("cas", "cat", "blake3:xyz").Code.ShouldBe(2);
    }

    [Fact]
    public void LsRefsRmRefGc_FreeTheTreeOnlyAfterTheRefIsGone()
    {
        _cli.Run("cas", "build", Tree(), "--ref", "images/t").Code.ShouldBe(0);
        _cli.Run("cas", "ls-refs").Out.ShouldContain("images/t");
        JsonNode.Parse(_cli.Run("cas", "gc", "--grace", "0s", "-o", "json").Out)!["removed"]!.GetValue<long>().ShouldBe(0);
        _cli.Run("cas", "rm-ref", "images/t").Code.ShouldBe(0);
        _cli.Run("cas", "rm-ref", "images/t").Code.ShouldBe(3);
        var gc = JsonNode.Parse(_cli.Run("cas", "gc", "--grace", "0s", "-o", "json").Out)!;
        gc["removed"]!.GetValue<long>().ShouldBe(3);
        JsonNode.Parse(_cli.Run("cas", "status", "-o", "json").Out)!["objects"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public void Verify_CorruptObject_ExitsNonZeroNamingItAndItsRef()
    {
        _cli.Run("cas", "build", Tree(), "--ref", "images/t").Code.ShouldBe(0);
        var digest = _cli.Run("cas", "put", _cli.Dir.Write("x", "beta")).Out.Trim();
        var hex = digest["blake3:".Length..];
        File.WriteAllText(Path.Combine(_cli.Root, "var/lib/volt/cas/objects", hex[..2], hex), "rotten");
        var r = _cli.Run("cas", "verify");
        r.Code.ShouldNotBe(0);
        r.Out.ShouldContain(digest);
        r.Out.ShouldContain("images/t");
        _cli.Run("cas", "verify", "--repair").Code.ShouldNotBe(0);
        var after = _cli.Run("cas", "verify");
        after.Out.ShouldContain("missing"); // quarantined: the ref now lacks it until the tree is stored again
        _cli.Run("cas", "build", _cli.Dir.Combine("tree"), "--ref", "images/t").Code.ShouldBe(0);
        _cli.Run("cas", "verify").Code.ShouldBe(0);
    }

    [Fact]
    public void Dedup_WithTree_ReportsHardlinkSavings()
    {
        var r = _cli.Run("cas", "dedup", Tree(), "-o", "json");
        r.Code.ShouldBe(0, r.ToString());
        JsonNode.Parse(r.Out)!["tree"]!["hardlink_savings"]!.GetValue<long>().ShouldBe(5);
    }

    [Fact]
    public void StateChangingCommands_AppendAuditLinesThatVerify()
    {
        _cli.Run("cas", "build", Tree(), "--ref", "images/t").Code.ShouldBe(0);
        _cli.Run("cas", "build", "/missing").Code.ShouldBe(3);
        _cli.Run("cas", "status").Code.ShouldBe(0); // read-only: no line
        var lines = File.ReadAllLines(Path.Combine(_cli.Root, "var/log/volt/audit.log"));
        lines.Length.ShouldBe(2);
        lines[0].ShouldContain("\"action\":\"cas.build\",\"resource\":\"images/t\",\"result\":\"success\"");
        lines[1].ShouldContain("\"result\":\"failure\"");
        lines[1].ShouldContain("\"error\":");
        _cli.Run("audit", "verify").Code.ShouldBe(0);
        var shown = JsonNode.Parse(_cli.Run("audit", "show", "--action", "cas", "-o", "json").Out)!.AsArray();
        shown.Count.ShouldBe(2);
        File.WriteAllLines(Path.Combine(_cli.Root, "var/log/volt/audit.log"), [lines[1]]);
        _cli.Run("audit", "verify").Code.ShouldNotBe(0);
    }
}
