using System.Text;
using Shouldly;
using Volt.Registry.Storage;
using Volt.Storage.Cas;
using Xunit;

namespace Volt.Registry.Tests.Storage;

/// <summary>
/// Manifests stored before PUT checked them (or written by anything else) that the store cannot parse: verify and
/// GC report them, keep going, and keep every object they name.
/// </summary>
public sealed class UnparseableManifestTests : RegistryTestBase
{
    /// <summary>Pushes a config and a layer, stores <paramref name="manifest"/> (built from their digests) under a
    /// manifest ref directly, and drops the blob links so only the manifest keeps them alive.</summary>
    private async Task<(Digest Manifest, Digest Config, Digest Layer)> StoreAsync(Func<string, string, byte[]> manifest)
    {
        var config = Digest.Parse(await Oci.PushBlobAsync("bad", "{\"os\":\"linux\"}"u8.ToArray()));
        var layer = Digest.Parse(await Oci.PushBlobAsync("bad", OciClient.RandomBytes(5000)));
        var bytes = manifest(config.ToString(), layer.ToString());
        var put = Cas.Put(bytes, HashAlgo.Sha256);
        Cas.Refs.Set(RegistryStore.ManifestRef("bad", put.Digest), put.Digest, RefKind.Oci, bytes.Length);
        Cas.Refs.Delete(RegistryStore.BlobRef("bad", config)).ShouldBeTrue();
        Cas.Refs.Delete(RegistryStore.BlobRef("bad", layer)).ShouldBeTrue();
        return (put.Digest, config, layer);
    }

    private static byte[] WithBadTopLevelKey(string config, string layer) =>
        [.. "{\"schemaVersion\":2,\""u8, 0xc3, 0x28, .. Encoding.UTF8.GetBytes(
            $"\":1,\"config\":{{\"mediaType\":\"x\",\"digest\":\"{config}\",\"size\":14}},\"layers\":[{{\"mediaType\":\"y\",\"digest\":\"{layer}\",\"size\":5000}}]}}")];

    private static byte[] Truncated(string config, string layer) =>
        Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"config\":{{\"digest\":\"{config}\",\"size\":14}},\"layers\":[{{\"digest\":\"{layer}\",\"size\":50");

    private static byte[] LoneSurrogateDigest(string config, string layer) =>
        Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"annotations\":{{\"\\ud800\":\"x\"}},\"config\":{{\"digest\":\"{config}\",\"size\":14}},\"layers\":[{{\"digest\":\"{layer}\",\"size\":5000}},{{\"digest\":\"\\udc00\"}}]}}");

    public static TheoryData<string> Kinds => ["bad-key", "truncated", "lone-surrogate"];

    private static Func<string, string, byte[]> Builder(string kind) => kind switch
    {
        "bad-key" => WithBadTopLevelKey,
        "truncated" => Truncated,
        _ => LoneSurrogateDigest,
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Gc_WithAnUnparseableManifest_RunsAndKeepsEveryObjectItNames(string kind)
    {
        var (manifest, config, layer) = await StoreAsync(Builder(kind));
        var orphan = Digest.Parse(await Oci.PushBlobAsync("other", OciClient.RandomBytes(100)));
        Cas.Refs.Delete(RegistryStore.BlobRef("other", orphan)).ShouldBeTrue();

        var r = new GarbageCollector(Cas).Run(dryRun: false, grace: TimeSpan.Zero, Ct);

        Cas.Exists(manifest).ShouldBeTrue();
        Cas.Exists(config).ShouldBeTrue();
        Cas.Exists(layer).ShouldBeTrue();
        Cas.Exists(orphan).ShouldBeFalse("GC still collects the rest of the store");
        r.Swept.ShouldBe(1);
        if (kind == "truncated") r.Unparseable!.Single().Digest.ShouldBe(manifest);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Verify_WithAnUnparseableManifest_CompletesOk(string kind)
    {
        var (manifest, _, _) = await StoreAsync(Builder(kind));
        var r = new Verifier(Cas, 2).Run(repair: false, ct: Ct);
        r.Ok.ShouldBeTrue();
        r.Missing.ShouldBeEmpty();
        if (kind == "truncated")
        {
            var u = r.Unparseable!.Single();
            u.Digest.ShouldBe(manifest);
            u.Refs.ShouldBe([RegistryStore.ManifestRef("bad", manifest)]);
        }
    }

    [Fact]
    public async Task Get_OfAStoredManifestThatNoLongerParses_ServesItsBytes()
    {
        var (manifest, _, _) = await StoreAsync(Truncated);
        var r = await Anonymous.GetAsync($"/v2/bad/manifests/{manifest}", Ct);
        r.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        OciClient.Sha256(await r.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(manifest.ToString());
    }

    [Fact]
    public void ScanDigests_FindsEveryAlgorithmAndSkipsNearMisses()
    {
        var h64 = new string('a', 64);
        var bytes = Encoding.ASCII.GetBytes($"x sha256:{h64} \"blake3:{h64}\" sha512:{new string('b', 128)} sha256:{h64}0 sha256:{h64[..63]}G md5:{h64}");
        Reachability.ScanDigests(bytes).Select(d => d.ToString()).Order().ShouldBe(
            [$"blake3:{h64}", $"sha256:{h64}", $"sha512:{new string('b', 128)}"]);
    }
}
