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
                    if (hex.StartsWith('.')) continue; // a build's staging file
                    if (hex.Length == Digest.HexLength(algo) && hex.StartsWith(fanName, StringComparison.Ordinal) && Digest.IsLowerHex(hex))
                        yield return new StoredObject(new Digest(algo, hex), file);
                    else strays?.Add(file);
                }
            }
        }
    }

    /// <summary>
    /// Removes staging files whose writer process is gone (or that are older than a day): <c>tmp/&lt;pid&gt;.….part</c>
    /// and builds' <c>objects/…/&lt;xx&gt;/.&lt;pid&gt;.….part</c>.
    /// </summary>
    public int CleanDeadTemps()
    {
        var removed = 0;
        var stale = Time.GetUtcNow().UtcDateTime - TimeSpan.FromDays(1);
        if (Directory.Exists(TmpDir))
            foreach (var file in Directory.EnumerateFiles(TmpDir)) removed += RemoveIfDead(file, System.IO.Path.GetFileName(file), stale);
        foreach (var algo in Enum.GetValues<HashAlgo>())
        {
            var algoDir = AlgoDir(algo);
            if (!Directory.Exists(algoDir)) continue;
            foreach (var fan in Directory.EnumerateDirectories(algoDir))
                foreach (var file in Directory.EnumerateFiles(fan, ".*.part"))
                    removed += RemoveIfDead(file, System.IO.Path.GetFileName(file)[1..], stale);
        }
        return removed;
    }

    private static int RemoveIfDead(string file, string name, DateTime stale)
    {
        var dot = name.IndexOf('.');
        var alive = dot > 0 && int.TryParse(name.AsSpan(0, dot), out var pid) && Posix.ProcessExists(pid);
        if (alive && File.GetLastWriteTimeUtc(file) > stale) return 0;
        try { File.Delete(file); return 1; }
        catch (IOException) { return 0; }
    }
}
