using Volt.Core.IO;

namespace Volt.Storage.Cas;

/// <summary>One object file found on disk.</summary>
public readonly record struct StoredObject(Digest Digest, string Path);

public sealed partial class CasStore
{
    /// <summary>Every object under objects/, every algorithm. Files whose names are not digests go to <paramref name="strays"/>.</summary>
    public IEnumerable<StoredObject> EnumerateObjects(List<string>? strays = null)
    {
        foreach (var algo in Enum.GetValues<HashAlgo>())
        {
            var algoDir = AlgoDir(algo);
            if (!Directory.Exists(algoDir)) continue;
            foreach (var fan in Directory.EnumerateDirectories(algoDir))
            {
                var fanName = System.IO.Path.GetFileName(fan);
                if (fanName.Length != 2) continue; // sha256/, sha512/ under the BLAKE3 root
                foreach (var file in Directory.EnumerateFiles(fan))
                {
                    var hex = System.IO.Path.GetFileName(file);
                    if (hex.Length == Digest.HexLength(algo) && hex.StartsWith(fanName, StringComparison.Ordinal) && Digest.IsLowerHex(hex))
                        yield return new StoredObject(new Digest(algo, hex), file);
                    else strays?.Add(file);
                }
            }
        }
    }

    /// <summary>Removes staging files whose writer process is gone (or that are older than a day).</summary>
    public int CleanDeadTemps()
    {
        if (!Directory.Exists(TmpDir)) return 0;
        var removed = 0;
        var stale = Time.GetUtcNow() - TimeSpan.FromDays(1);
        foreach (var file in Directory.EnumerateFiles(TmpDir))
        {
            var name = System.IO.Path.GetFileName(file);
            var dot = name.IndexOf('.');
            var alive = dot > 0 && int.TryParse(name.AsSpan(0, dot), out var pid) && Posix.ProcessExists(pid);
            if (alive && File.GetLastWriteTimeUtc(file) > stale.UtcDateTime) continue;
            try { File.Delete(file); removed++; } catch (IOException) { }
        }
        return removed;
    }
}
