using Microsoft.Extensions.Time.Testing;
using Shouldly;
using Volt.Storage.Cas;
using Volt.Storage.Hashing;
using Xunit;

namespace Volt.Storage.Tests.Cas;

/// <summary>
/// Re-builds skip files whose (device, inode, size, mtime, ctime) are unchanged, never trust racy entries, a corrupt
/// cache or an entry whose object is gone, and --no-cache reads everything.
/// </summary>
public sealed class StatCacheTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow.AddMinutes(5));
    private readonly CasFixture _f;
    private readonly List<string> _hashed = [];
    private int _serialized, _refWrites, _probes;

    public StatCacheTests() => _f = new CasFixture(_clock);

    public void Dispose() => _f.Dispose();

    private string Tree()
    {
        for (int i = 0; i < 20; i++) _f.Write($"src/d{i % 3}/f{i}", CasFixture.Random(100 + i * 37, i));
        _f.Write("src/big.bin", CasFixture.Random((5 << 20) + 9, 99));
        return _f.Source();
    }

    private BuildResult Build(string dir, bool useCache = true)
    {
        _hashed.Clear();
        _serialized = 0;
        _refWrites = 0;
        _probes = 0;
        var b = new TreeBuilder(_f.Store, 2)
        {
            OnProbeObject = _ => Interlocked.Increment(ref _probes),
            OnHashFile = p => { lock (_hashed) _hashed.Add(Path.GetRelativePath(dir, p)); },
            OnSerializeManifest = () => _serialized++,
            OnSetRef = () => _refWrites++,
        };
        var r = b.Build(dir, "images/t", ct: TestContext.Current.CancellationToken, useCache: useCache);
        _clock.Advance(TimeSpan.FromMinutes(1));
        return r;
    }

    private Digest DigestOf(string rel) =>
        Digest.Parse(TreeManifest.Load(_f.Store, _f.Store.Refs.Get("images/t").Target).Entries.Single(e => e.Path == rel).Digest!);

    private string CacheFile() => Directory.GetFiles(_f.Store.StatCacheDir).ShouldHaveSingleItem();

    [Fact]
    public void Rebuild_UnchangedTree_ReusesTheRecordedManifestWithoutSerialisingIt()
    {
        var dir = Tree();
        var first = Build(dir);
        _serialized.ShouldBe(1);

        var second = Build(dir);

        _serialized.ShouldBe(0);
        second.Manifest.ShouldBe(first.Manifest);
        _f.Store.Refs.Get("images/t").Target.ShouldBe(first.Manifest);
        (second.Files, second.Dirs, second.Bytes).ShouldBe((first.Files, first.Dirs, first.Bytes));
    }

    [Fact]
    public void Rebuild_UnchangedTree_LeavesTheRefAsItIs()
    {
        var dir = Tree();
        Build(dir);
        _refWrites.ShouldBe(1);
        var before = File.ReadAllBytes(Path.Combine(_f.Store.Refs.Directory, "images/t"));

        Build(dir);

        _refWrites.ShouldBe(0);
        File.ReadAllBytes(Path.Combine(_f.Store.Refs.Directory, "images/t")).ShouldBe(before);
    }

    [Fact]
    public void Rebuild_ChangedFile_MovesTheRefToTheNewManifest()
    {
        var dir = Tree();
        var first = Build(dir);
        File.AppendAllText(Path.Combine(dir, "d1/f1"), "more");

        var second = Build(dir);

        _refWrites.ShouldBe(1);
        second.Manifest.ShouldNotBe(first.Manifest);
        _f.Store.Refs.Get("images/t").Target.ShouldBe(second.Manifest);
    }

    [Fact]
    public void Rebuild_DirectoryModeChanged_WritesAManifestWithTheNewMode()
    {
        var dir = Tree();
        var first = Build(dir);
        File.SetUnixFileMode(Path.Combine(dir, "d1"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var second = Build(dir);

        _serialized.ShouldBe(1);
        _hashed.ShouldBeEmpty();
        second.Manifest.ShouldNotBe(first.Manifest);
        TreeManifest.Load(_f.Store, second.Manifest).Entries.Single(e => e.Path == "d1").Mode.ShouldBe("0700");
    }

    [Fact]
    public void Rebuild_SymlinkRetargeted_WritesAManifestWithTheNewTarget()
    {
        var dir = Tree();
        File.CreateSymbolicLink(Path.Combine(dir, "link"), "d0");
        var first = Build(dir);
        File.Delete(Path.Combine(dir, "link"));
        File.CreateSymbolicLink(Path.Combine(dir, "link"), "d2");

        var second = Build(dir);

        second.Manifest.ShouldNotBe(first.Manifest);
        TreeManifest.Load(_f.Store, second.Manifest).Entries.Single(e => e.Path == "link").Target.ShouldBe("d2");
    }

    [Fact]
    public void Rebuild_RecordedManifestGone_WritesItAgain()
    {
        var dir = Tree();
        var first = Build(dir);
        File.Delete(_f.Store.ObjectPath(first.Manifest));

        var second = Build(dir);

        _serialized.ShouldBe(1);
        second.Manifest.ShouldBe(first.Manifest);
        _f.Store.Exists(first.Manifest).ShouldBeTrue();
    }

    [Fact]
    public void Rebuild_UnchangedTree_ReadsNoFileAndGivesTheSameManifest()
    {
        var dir = Tree();
        var first = Build(dir);
        _hashed.Count.ShouldBe(21);
        first.CachedFiles.ShouldBe(0);

        var second = Build(dir);

        _hashed.ShouldBeEmpty();
        second.CachedFiles.ShouldBe(21);
        second.Manifest.ShouldBe(first.Manifest);
        second.NewObjects.ShouldBe(0);
    }

    [Fact]
    public void Rebuild_FileGrewOrGotNewMtime_HashesOnlyThoseFiles()
    {
        var dir = Tree();
        Build(dir);
        File.AppendAllText(Path.Combine(dir, "d0/f0"), "more");
        File.SetLastWriteTimeUtc(Path.Combine(dir, "d1/f1"), DateTime.UtcNow.AddHours(-3));

        var r = Build(dir);

        _hashed.Order().ShouldBe(["d0/f0", "d1/f1"]);
        r.CachedFiles.ShouldBe(19);
        DigestOf("d0/f0").Hex.ShouldBe(Blake3.HashHex(File.ReadAllBytes(Path.Combine(dir, "d0/f0"))));
    }

    [Fact]
    public void Rebuild_FileReplacedBySameSizeAndMtime_IsCaughtByInodeAndCtime()
    {
        var dir = Tree();
        Build(dir);
        var target = Path.Combine(dir, "d2/f2");
        var mtime = File.GetLastWriteTimeUtc(target);
        var forged = CasFixture.Random((int)new FileInfo(target).Length, 1234);
        var replacement = _f.Write("replacement", forged);
        File.SetLastWriteTimeUtc(replacement, mtime); // touch -d: same size, same mtime, other bytes
        File.Move(replacement, target, overwrite: true); // new inode, new ctime

        Build(dir);

        _hashed.ShouldBe(["d2/f2"]);
        DigestOf("d2/f2").Hex.ShouldBe(Blake3.HashHex(forged));
    }

    [Fact]
    public void Rebuild_FileRewrittenInPlaceWithSameSizeAndMtime_IsCaughtByCtime()
    {
        var dir = Tree();
        Build(dir);
        var target = Path.Combine(dir, "d0/f3");
        var mtime = File.GetLastWriteTimeUtc(target);
        var inode = Volt.Core.IO.FileStat.LStat(target).Inode;
        Thread.Sleep(20); // past the kernel's timestamp granularity, so the rewrite's ctime differs
        var forged = CasFixture.Random((int)new FileInfo(target).Length, 4321);
        using (var s = new FileStream(target, FileMode.Open, FileAccess.Write)) s.Write(forged);
        File.SetLastWriteTimeUtc(target, mtime);
        Volt.Core.IO.FileStat.LStat(target).Inode.ShouldBe(inode);

        Build(dir);

        _hashed.ShouldBe(["d0/f3"]);
        DigestOf("d0/f3").Hex.ShouldBe(Blake3.HashHex(forged));
    }

    [Fact]
    public void Rebuild_EntryWrittenInTheSecondTheFileWasModified_IsRacyAndHashedAgain()
    {
        var dir = Tree();
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories);
        var newest = files.MaxBy(File.GetLastWriteTimeUtc)!;
        // A store whose clock says the build runs in the very second the newest file was written.
        var clock = new FakeTimeProvider(new DateTimeOffset(File.GetLastWriteTimeUtc(newest), TimeSpan.Zero));
        var store = new CasStore(_f.Dir.Combine("racy-cas"), clock).EnsureCreated();
        var hashed = new List<string>();
        BuildResult Run()
        {
            hashed.Clear();
            var b = new TreeBuilder(store, 2) { OnHashFile = p => { lock (hashed) hashed.Add(Path.GetRelativePath(dir, p)); } };
            var r = b.Build(dir, "images/t", ct: TestContext.Current.CancellationToken);
            clock.Advance(TimeSpan.FromMinutes(1));
            return r;
        }
        Run();

        var racy = Run();
        racy.CachedFiles.ShouldBeLessThan(21);
        hashed.ShouldContain(Path.GetRelativePath(dir, newest));

        var clean = Run(); // the re-hash rewrote the cache at a later second: now every entry is clean
        clean.CachedFiles.ShouldBe(21);
        hashed.ShouldBeEmpty();
        clean.Manifest.ShouldBe(racy.Manifest);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    public void Rebuild_CorruptCache_IsDiscardedAndEveryFileHashed(string damage)
    {
        var dir = Tree();
        var first = Build(dir);
        var cache = CacheFile();
        var bytes = File.ReadAllBytes(cache);
        switch (damage)
        {
            case "flip": bytes[bytes.Length / 2] ^= 0x40; break;
            case "truncate": bytes = bytes[..(bytes.Length - 7)]; break;
            default: bytes = CasFixture.Random(bytes.Length, 5); break;
        }
        File.WriteAllBytes(cache, bytes);

        var r = Build(dir);

        _hashed.Count.ShouldBe(21);
        r.CachedFiles.ShouldBe(0);
        r.Manifest.ShouldBe(first.Manifest);
        Build(dir).CachedFiles.ShouldBe(21); // rewritten whole
    }

    [Fact]
    public void Rebuild_CachedObjectMissingFromTheStore_HashesAndStoresItAgain()
    {
        var dir = Tree();
        Build(dir);
        var gone = DigestOf("d1/f4");
        File.Delete(_f.Store.ObjectPath(gone));

        var r = Build(dir);

        _hashed.ShouldBe(["d1/f4"]);
        r.NewObjects.ShouldBe(1);
        File.Exists(_f.Store.ObjectPath(gone)).ShouldBeTrue();
    }

    [Fact]
    public void Rebuild_WithoutCache_HashesEveryFile()
    {
        var dir = Tree();
        Build(dir);

        var r = Build(dir, useCache: false);

        _hashed.Count.ShouldBe(21);
        r.CachedFiles.ShouldBe(0);
    }

    /// <summary>Sets every fan-out directory's mtime an hour back: the cache written next trusts them (not racy).</summary>
    private static readonly DateTime HourAgo = new(DateTime.UtcNow.AddHours(-1).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    private void AgeFanouts()
    {
        foreach (var d in Directory.GetDirectories(_f.Store.ObjectsDir).Where(d => Path.GetFileName(d).Length == 2))
            Directory.SetLastWriteTimeUtc(d, HourAgo);
    }

    [Fact]
    public void Rebuild_FanoutDirectoriesUntouchedSinceTheCache_LooksUpNoObject()
    {
        var dir = Tree();
        Build(dir);
        _probes.ShouldBe(0, "nothing cached yet");
        AgeFanouts();
        Build(dir).CachedFiles.ShouldBe(21);
        _probes.ShouldBe(21, "stamps moved since the cache was written: every hit is looked up, and the cache is rewritten");

        var r = Build(dir);

        r.CachedFiles.ShouldBe(21);
        _probes.ShouldBe(0);
        _hashed.ShouldBeEmpty();
    }

    [Fact]
    public void Rebuild_ObjectRemovedWhileItsFanoutWasTrusted_IsNoticedAndStoredAgain()
    {
        var dir = Tree();
        Build(dir);
        AgeFanouts();
        Build(dir);
        var gone = DigestOf("d2/f5");
        File.Delete(_f.Store.ObjectPath(gone)); // the unlink moves its fan-out directory's mtime

        var r = Build(dir);

        _hashed.ShouldBe(["d2/f5"]);
        r.NewObjects.ShouldBe(1);
        File.Exists(_f.Store.ObjectPath(gone)).ShouldBeTrue();
    }

    [Fact]
    public void Rebuild_FanoutStampsInTheSecondTheCacheWasWritten_AreRacyAndEveryHitIsLookedUp()
    {
        var dir = Tree();
        Build(dir);
        AgeFanouts();
        Build(dir); // records the aged stamps
        File.SetLastWriteTimeUtc(CacheFile(), HourAgo.AddMilliseconds(500)); // as if written in the stamps' second

        Build(dir);

        _probes.ShouldBe(21);
    }

    [Fact]
    public void Parse_CacheOfAnotherDirectory_IsNotTrusted()
    {
        var dir = Tree();
        Build(dir);
        var bytes = File.ReadAllBytes(CacheFile());
        StatCache.Parse(bytes, dir).ShouldNotBeNull().Count.ShouldBe(21);
        StatCache.Parse(bytes, dir + "-other").ShouldBeNull();
    }
}
