using System.Text;
using Shouldly;
using Volt.Registry.Storage;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests.Storage;

public sealed class ManifestCacheTests
{
    private static StoredManifest Manifest(int i, int size)
    {
        var bytes = Encoding.ASCII.GetBytes($"{{\"n\":{i},\"pad\":\"{new string('x', size)}\"}}");
        return new StoredManifest(ContentHasher.Hash(HashAlgo.Sha256, bytes), bytes, ManifestInfo.Opaque());
    }

    [Fact]
    public void Add_ManyLargeManifests_StaysWithinTheByteCap()
    {
        var cache = new ManifestCache(8 << 20);
        for (var i = 0; i < 120; i++) cache.Add(Manifest(i, 256 << 10));
        cache.Bytes.ShouldBeLessThanOrEqualTo(8 << 20);
        cache.Count.ShouldBeGreaterThan(0);
        cache.Count.ShouldBeLessThan(120);
    }

    [Fact]
    public void Add_AManifestOverAnEighthOfTheCap_IsNotKept()
    {
        var cache = new ManifestCache(8 << 20);
        var big = Manifest(1, 4 << 20);
        cache.Add(big);
        cache.TryGet(big.Digest, out _).ShouldBeFalse();
        cache.Bytes.ShouldBe(0);
    }

    [Fact]
    public void Add_OverTheCap_EvictsTheLeastRecentlyUsed()
    {
        var cache = new ManifestCache(8 << 20);
        var entries = Enumerable.Range(0, 9).Select(i => Manifest(i, 340 << 10)).ToList(); // ~1020 KiB of cost each: 8 fit
        foreach (var m in entries.Take(8)) cache.Add(m);
        cache.Count.ShouldBe(8);
        cache.TryGet(entries[0].Digest, out _).ShouldBeTrue(); // now the most recently used
        cache.Add(entries[8]);
        cache.TryGet(entries[1].Digest, out _).ShouldBeFalse();
        cache.TryGet(entries[0].Digest, out _).ShouldBeTrue();
        cache.TryGet(entries[8].Digest, out _).ShouldBeTrue();
    }
}
