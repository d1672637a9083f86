using System.Diagnostics;
using Volt.Core.Errors;
using Volt.Images.Layers;
using Volt.Images.Oci;
using Volt.Images.Sources;
using Volt.Images.Store;
using Volt.Storage.Cas;

namespace Volt.Images;

/// <summary>Live counters of a pull or import (compressed layer bytes), polled by a progress display.</summary>
public sealed class TransferCounters
{
    public long BytesTotal, BytesDone;
}

/// <summary>What a pull or import stored.</summary>
public sealed record PullResult(StoredImage Image, int Layers, long Files, long NewObjects, long NewBytes, TimeSpan Elapsed)
{
    /// <summary>Of <see cref="NewBytes"/>, the bytes of original layer blobs newly kept (see <c>BlobKeeper</c>).</summary>
    public long KeptBlobBytes { get; init; }
}

/// <summary>
/// Pulls or imports an image into the CAS: resolves the manifest for the platform, then streams every layer
/// (digest-verified as compressed blob and, against the config's <c>diff_ids</c>, as uncompressed tar) through
/// the decompressor into a <see cref="RootfsTree"/>, staging each file as a BLAKE3 object. Only when every
/// layer applied cleanly are the objects published and the tree, config, record and ref written: a failed
/// or hostile pull leaves no new ref and no visible object.
/// </summary>
public sealed class ImagePuller(CasStore cas)
{
    public async Task<PullResult> PullAsync(IImageSource source, ImageReference name, Platform platform, TransferCounters? counters = null,
        CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        counters ??= new TransferCounters();
        var resolved = await source.ResolveAsync(platform, ct).ConfigureAwait(false);
        var config = ImageConfigFile.Parse(resolved.Config, $"the config of {name}");
        var diffIds = config.RootFs?.DiffIds ?? [];
        if (diffIds.Count != 0 && diffIds.Count != resolved.Layers.Count)
            throw new VoltException(ExitCode.General, $"{name}: the config lists {diffIds.Count} layers but the manifest {resolved.Layers.Count}");
        counters.BytesTotal = resolved.Layers.Sum(l => l.Size);
        var platformText = config.Os is not null && config.Architecture is not null
            ? new Platform { Os = config.Os, Architecture = config.Architecture, Variant = config.Variant }.ToString()
            : resolved.Platform.ToString();

        cas.EnsureCreated();
        using var writerLock = cas.WriterLock();
        using var stager = new ObjectStager(cas);
        // A real manifest (registry, OCI layout) is kept with its blobs so a push can re-send it unchanged.
        var keep = resolved.Manifest is not null && resolved.Layers.All(l => Digest.TryParse(l.Digest, out var d) && d.Value.Algorithm != HashAlgo.Blake3);
        using var keeper = new BlobKeeper(cas);
        var tree = new RootfsTree();
        var applier = new LayerApplier(tree, stager);
        for (var i = 0; i < resolved.Layers.Count; i++)
        {
            var layer = resolved.Layers[i];
            tree.Layer = i;
            tree.LayerName = layer.Digest.Length > 0 ? layer.Digest : $"#{i + 1}";
            await using var raw = await source.OpenBlobAsync(layer, ct).ConfigureAwait(false);
            Digest.TryParse(layer.Digest, out var expected);
            using var blob = new HashingStream(keep ? keeper.Wrap(raw, expected) : raw, expected?.Algorithm ?? HashAlgo.Sha256, $"layer {tree.LayerName}", expected,
                n => Interlocked.Add(ref counters.BytesDone, n));
            using var tar = new HashingStream(Decompression.Open(blob), HashAlgo.Sha256, $"layer {tree.LayerName} (uncompressed)",
                i < diffIds.Count && Digest.TryParse(diffIds[i], out var diff) ? diff : null);
            try
            {
                await Task.Run(() =>
                {
                    applier.Apply(tar, ct);
                    tar.Drain();
                    blob.Drain();
                }, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or IOException and not FileNotFoundException)
            {
                throw new VoltException(ExitCode.General, $"Failed reading layer {tree.LayerName} of {name}: {e.Message}", e);
            }
        }

        var manifest = tree.ToManifest();
        var referenced = new HashSet<Digest>(manifest.Entries.Where(e => e.Digest is not null).Select(e => Digest.Parse(e.Digest!)));
        stager.Publish(referenced);
        keeper.Publish();
        var kept = keep ? new KeptManifest(cas.Put(resolved.Manifest, HashAlgo.Sha256).Digest.ToString(), resolved.ManifestMediaType ?? MediaTypes.OciManifest) : null;
        var treeDigest = cas.Put(manifest.Serialize()).Digest;
        var image = new ImageStore(cas).Save(name, treeDigest, manifest.Size, resolved.Config, resolved.ManifestDigest, platformText, kept);
        return new PullResult(image, resolved.Layers.Count, manifest.Files, stager.NewObjects + keeper.NewObjects, stager.NewBytes + keeper.NewBytes, sw.Elapsed)
        {
            KeptBlobBytes = keeper.NewBytes,
        };
    }
}
