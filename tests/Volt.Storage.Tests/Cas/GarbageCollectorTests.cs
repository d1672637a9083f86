using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Storage.Tests.Cas;

public sealed class GarbageCollectorTests : IDisposable
{
    private readonly CasFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Run_SweepsUnreferencedAndKeepsEverythingARefReaches()
    {
        _f.Write("t/a", "kept");
        _f.Write("t/b", "also kept");
        new TreeBuilder(_f.Store, 1).Build(_f.Source("t"), "images/t");
        var orphan = _f.Store.Put("orphan"u8).Digest;
        var blob = _f.Store.Put("blob"u8).Digest;
        _f.Store.Refs.Set("blobs/x", blob, RefKind.Blob, 4);

        var r = new GarbageCollector(_f.Store).Run(dryRun: false, grace: TimeSpan.Zero - TimeSpan.FromSeconds(5));
        r.Swept.ShouldBe(1);
        r.BytesFreed.ShouldBe(6);
        _f.Store.Exists(orphan).ShouldBeFalse();
        _f.Store.Exists(blob).ShouldBeTrue();
        new Verifier(_f.Store, 1).Run(false).Ok.ShouldBeTrue();
    }

    [Fact]
    public void Run_DryRun_RemovesNothing()
    {
        var orphan = _f.Store.Put("orphan"u8).Digest;
        var r = new GarbageCollector(_f.Store).Run(dryRun: true, grace: TimeSpan.FromSeconds(-5));
        r.Swept.ShouldBe(1);
        _f.Store.Exists(orphan).ShouldBeTrue();
    }

    [Fact]
    public void Run_ObjectYoungerThanGrace_IsKept()
    {
        var orphan = _f.Store.Put("fresh upload"u8).Digest;
        var r = new GarbageCollector(_f.Store).Run(dryRun: false, grace: TimeSpan.FromMinutes(15));
        r.KeptYoung.ShouldBe(1);
        _f.Store.Exists(orphan).ShouldBeTrue();
    }

    [Fact]
    public void Run_ObjectWrittenAfterGcStarted_IsNeverSwept()
    {
        // The GC's clock says it started an hour ago: anything written "now" is newer than its start.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(1));
        var store = new CasStore(_f.Store.Root, time);
        var late = store.Put("written after the gc began"u8).Digest;
        new GarbageCollector(store).Run(dryRun: false, grace: TimeSpan.Zero);
        store.Exists(late).ShouldBeTrue();
    }

    [Fact]
    public void Run_OciRef_KeepsConfigLayersAndChildManifests()
    {
        var layer = _f.Store.Put("layer bytes"u8, HashAlgo.Sha256).Digest;
        var config = _f.Store.Put("{}"u8, HashAlgo.Sha256).Digest;
        var manifest = _f.Store.Put(System.Text.Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"config":{"digest":"{{config}}","size":2},"layers":[{"digest":"{{layer}}","size":11}]}"""), HashAlgo.Sha256).Digest;
        var index = _f.Store.Put(System.Text.Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"manifests":[{"digest":"{{manifest}}","size":1}]}"""), HashAlgo.Sha256).Digest;
        _f.Store.Put("unrelated"u8, HashAlgo.Sha256);
        _f.Store.Refs.Set("registry/app/_tags/latest", index, RefKind.Oci, 0);

        var r = new GarbageCollector(_f.Store).Run(false, TimeSpan.FromSeconds(-5));
        r.Swept.ShouldBe(1);
        new[] { layer, config, manifest, index }.ShouldAllBe(d => _f.Store.Exists(d));
    }

    [Fact]
    public void Run_WhileBuildsAreWriting_NeverBreaksARef()
    {
        for (var i = 0; i < 200; i++) _f.Write($"base/f{i}", CasFixture.Random(3000, i));
        new TreeBuilder(_f.Store, 1).Build(_f.Source("base"), "images/base");
        _f.Store.Refs.Delete("images/base"); // all its objects are now garbage, old enough to sweep
        var builds = Task.Run(() =>
        {
            for (var round = 0; round < 5; round++)
                new TreeBuilder(_f.Store, 2).Build(_f.Source("base"), $"images/round{round}");
        }, TestContext.Current.CancellationToken);
        while (!builds.IsCompleted) new GarbageCollector(_f.Store).Run(false, TimeSpan.FromSeconds(-5));
        builds.GetAwaiter().GetResult();
        var v = new Verifier(_f.Store, 2).Run(false);
        v.Missing.ShouldBeEmpty();
        v.Ok.ShouldBeTrue();
    }
}
