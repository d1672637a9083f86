using Volt.Core.Paths;
using Volt.Images.Oci;
using Volt.Storage.Cas;
using Volt.Testing;
using Xunit;

namespace Volt.Images.Tests.Fixtures;

/// <summary>Each test gets a private VOLT root (CAS under it) in a temp dir.</summary>
public abstract class ImageTestBase : IDisposable
{
    protected TempDir Temp { get; } = new("volt-images");
    protected string Root => Temp.Combine("root");
    protected VoltPaths Paths => new(Root);
    protected CasStore Cas { get; }
    protected CancellationToken Ct => TestContext.Current.CancellationToken;
    protected static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    protected ImageTestBase()
    {
        Directory.CreateDirectory(Root);
        Cas = new CasStore(Paths.Cas).EnsureCreated();
    }

    protected (int Code, string Out, string Err) Volt(params string[] args) => VoltBinary.Run(Root, args);

    protected TreeManifest Tree(global::Volt.Images.Store.StoredImage img) => TreeManifest.Load(Cas, img.Record.TreeDigest);

    protected static TreeEntry Entry(TreeManifest t, string path) =>
        t.Entries.SingleOrDefault(e => e.Path == path) ?? throw new Xunit.Sdk.XunitException($"no entry {path}; have {string.Join(", ", t.Entries.Select(e => e.Path))}");

    protected string ReadFile(TreeManifest t, string path) => System.Text.Encoding.UTF8.GetString(Cas.ReadAllBytes(Digest.Parse(Entry(t, path).Digest!)));

    /// <summary>Imports a hand-written layout of the given layers as NAME.</summary>
    protected Task<PullResult> ImportLayers(string name, params (LayerBuilder, Compression)[] layers)
    {
        var dir = OciLayoutWriter.Single(Temp.Combine("layout-" + Guid.NewGuid().ToString("N")[..8]), "v1", layers);
        return new ImageImporter(Cas).ImportAsync(dir, name, Amd64, null, Ct);
    }

    public virtual void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
