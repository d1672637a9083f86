using Shouldly;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Storage.Tests.Cas;

public sealed class VerifierTests : IDisposable
{
    private readonly CasFixture _f = new();

    public void Dispose() => _f.Dispose();

    private Digest BuildAndCorruptOne()
    {
        _f.Write("t/good", "good");
        _f.Write("t/victim", "victim content");
        new TreeBuilder(_f.Store, 1).Build(_f.Source("t"), "images/t");
        var victim = ContentHasher.Hash(HashAlgo.Blake3, "victim content"u8);
        File.WriteAllText(_f.Store.ObjectPath(victim), "bit rot");
        return victim;
    }

    [Fact]
    public void Run_CorruptObject_IsNamedWithTheRefsThatReachIt()
    {
        var victim = BuildAndCorruptOne();
        var r = new Verifier(_f.Store, 2).Run(repair: false);
        r.Ok.ShouldBeFalse();
        var c = r.Corrupt.ShouldHaveSingleItem();
        c.Digest.ShouldBe(victim);
        c.Refs.ShouldBe(["images/t"]);
        c.QuarantinedTo.ShouldBeNull();
        File.Exists(_f.Store.ObjectPath(victim)).ShouldBeTrue();
    }

    [Fact]
    public void Run_Repair_QuarantinesTheCorruptObjectAndRebuildRestoresIt()
    {
        var victim = BuildAndCorruptOne();
        var r = new Verifier(_f.Store, 2).Run(repair: true);
        r.Corrupt.ShouldHaveSingleItem().QuarantinedTo.ShouldNotBeNull();
        _f.Store.Exists(victim).ShouldBeFalse();
        new TreeBuilder(_f.Store, 1).Build(_f.Source("t"), "images/t");
        new Verifier(_f.Store, 2).Run(false).Ok.ShouldBeTrue();
    }

    [Fact]
    public void Run_ObjectARefNeedsButTheStoreLacks_IsReportedMissing()
    {
        _f.Write("t/x", "x");
        new TreeBuilder(_f.Store, 1).Build(_f.Source("t"), "images/t");
        var x = ContentHasher.Hash(HashAlgo.Blake3, "x"u8);
        File.Delete(_f.Store.ObjectPath(x));
        var r = new Verifier(_f.Store, 1).Run(false);
        r.Missing.ShouldHaveSingleItem().Refs.ShouldBe(["images/t"]);
    }

    [Fact]
    public void Run_StrayFileInObjects_IsReportedNotHashed()
    {
        _f.Store.Put("a"u8);
        var fan = Directory.GetDirectories(_f.Store.ObjectsDir).First();
        File.WriteAllText(Path.Combine(fan, "not-a-digest"), "?");
        var r = new Verifier(_f.Store, 1).Run(false);
        r.Strays.ShouldHaveSingleItem().ShouldEndWith("not-a-digest");
        r.Objects.ShouldBe(1);
    }

    [Fact]
    public void Dedup_Tree_ReportsWhatHardLinkingWouldSave()
    {
        _f.Write("t/a", new string('x', 1000));
        _f.Write("t/b", new string('x', 1000));
        _f.Write("t/c", new string('x', 1000));
        _f.Write("t/d", "unique");
        var r = new DedupAnalyzer(_f.Store, 2).AnalyzeTree(_f.Source("t"), 5);
        r.Files.ShouldBe(4);
        r.DuplicateFiles.ShouldBe(2);
        r.HardlinkSavings.ShouldBe(2000);
        r.Top.ShouldHaveSingleItem().Copies.ShouldBe(3);
    }

    [Fact]
    public void Dedup_Store_ComparesLogicalAndUniqueBytesAcrossTrees()
    {
        _f.Write("a/x", new string('y', 500));
        _f.Write("b/x", new string('y', 500));
        new TreeBuilder(_f.Store, 1).Build(_f.Source("a"), "images/a");
        new TreeBuilder(_f.Store, 1).Build(_f.Source("b"), "images/b");
        var r = new DedupAnalyzer(_f.Store, 1).AnalyzeStore(3);
        r.LogicalBytes.ShouldBe(1000);
        r.UniqueBytes.ShouldBe(500);
        r.Top.ShouldHaveSingleItem().Examples.Count.ShouldBe(2);
    }
}
