using Volt.Storage.Cas;
using Volt.Testing;

namespace Volt.Storage.Tests.Cas;

/// <summary>A fresh store in a temp dir plus a scratch area for source trees.</summary>
public sealed class CasFixture : IDisposable
{
    public TempDir Dir { get; } = new("volt-cas");
    public CasStore Store { get; }

    public CasFixture(TimeProvider? time = null)
    {
        Store = new CasStore(Dir.Combine("cas"), time).EnsureCreated();
    }

    public string Source(string name = "src") => Dir.Combine(name);

    public string Write(string relative, string content) => Dir.Write(relative, content);

    public string Write(string relative, byte[] content) => Dir.Write(relative, content);

    public static byte[] Random(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    public List<StoredObject> Objects() => [.. Store.EnumerateObjects()];

    /// <summary>Staging files anywhere in the store: tmp/ and builds' dot-files in fan-out directories.</summary>
    public string[] TempFiles() => Directory.GetFiles(Store.Root, "*.part", SearchOption.AllDirectories);

    public void Dispose() => Dir.Dispose();
}
