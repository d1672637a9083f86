using Shouldly;
using Volt.Core.Errors;
using Volt.Storage.Cas;
using Volt.Storage.Hashing;
using Xunit;

namespace Volt.Storage.Tests.Cas;

/// <summary>Hash-first puts of files: nothing is staged for content the store has; a changing file never yields a wrong object.</summary>
public sealed class PutFileTests : IDisposable
{
    private readonly CasFixture _f = new();
    private readonly List<string> _staged = [];

    public PutFileTests() => _f.Store.OnStaging = p => { lock (_staged) _staged.Add(p); };

    public void Dispose() => _f.Dispose();

    private PutResult Put(string path, HashAlgo algo = HashAlgo.Blake3, Digest? expected = null, int threads = 2)
    {
        using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return _f.Store.PutFile(h, path, algo, expected, threads, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(0, HashAlgo.Blake3)]
    [InlineData(1000, HashAlgo.Blake3)]
    [InlineData((9 << 20) + 17, HashAlgo.Blake3)]
    [InlineData((3 << 20) + 1, HashAlgo.Sha256)]
    [InlineData(70_000, HashAlgo.Sha512)]
    public void PutFile_NewFile_StoresItsExactBytesUnderTheirDigest(int size, HashAlgo algo)
    {
        var data = CasFixture.Random(size, size);
        var r = Put(_f.Write("in.bin", data), algo);
        r.Created.ShouldBeTrue();
        r.Size.ShouldBe(size);
        r.Digest.ShouldBe(ContentHasher.Hash(algo, data));
        File.ReadAllBytes(_f.Store.ObjectPath(r.Digest)).ShouldBe(data);
        _staged.Count.ShouldBe(1);
        _f.TempFiles().ShouldBeEmpty();
    }

    [Fact]
    public void PutFile_AlreadyStoredFile_StagesAndWritesNothing()
    {
        var path = _f.Write("in.bin", CasFixture.Random((5 << 20) + 3, 1));
        var first = Put(path);
        _staged.Clear();
        var before = File.GetLastWriteTimeUtc(_f.Store.ObjectPath(first.Digest));
        Thread.Sleep(20); // so that the touch is visible in the mtime

        var again = Put(path);

        again.Created.ShouldBeFalse();
        again.Digest.ShouldBe(first.Digest);
        again.Size.ShouldBe(first.Size);
        _staged.ShouldBeEmpty();
        Directory.GetFileSystemEntries(_f.Store.TmpDir).ShouldBeEmpty();
        File.GetLastWriteTimeUtc(_f.Store.ObjectPath(first.Digest)).ShouldBeGreaterThan(before); // re-use refreshes GC grace
    }

    [Fact]
    public void PutFile_ExpectedDigestDiffers_StoresNothing()
    {
        var path = _f.Write("in.bin", CasFixture.Random(4096, 2));
        var wrong = ContentHasher.Hash(HashAlgo.Sha256, "other"u8);
        Should.Throw<DigestMismatchException>(() => Put(path, expected: wrong));
        _f.Objects().ShouldBeEmpty();
        _staged.ShouldBeEmpty();
    }

    [Fact]
    public void PutFile_FileRewrittenBetweenHashAndCopy_FailsAndStoresNothing()
    {
        var path = _f.Write("in.bin", CasFixture.Random(6 << 20, 3));
        _f.Store.OnHashed = _ =>
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            s.Write(CasFixture.Random(6 << 20, 4)); // same size, new bytes
        };

        var e = Should.Throw<VoltException>(() => Put(path));

        e.Code.ShouldBe(ExitCode.Conflict);
        e.Message.ShouldContain("changed while it was being stored");
        _f.Objects().ShouldBeEmpty();
        _f.TempFiles().ShouldBeEmpty();
    }

    [Fact]
    public void PutFile_FileTruncatedBetweenHashAndCopy_FailsAndStoresNothing()
    {
        var path = _f.Write("in.bin", CasFixture.Random(6 << 20, 5));
        _f.Store.OnHashed = _ => { using var s = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite); s.SetLength(1 << 20); };

        Should.Throw<VoltException>(() => Put(path)).Code.ShouldBe(ExitCode.Conflict);
        _f.Objects().ShouldBeEmpty();
        _f.TempFiles().ShouldBeEmpty();
    }

    [Fact]
    public void PutFile_FileMutatedWhileBeingPut_EveryStoredObjectHashesToItsName()
    {
        var path = _f.Write("in.bin", CasFixture.Random(24 << 20, 6));
        using var stop = new CancellationTokenSource();
        var mutator = Task.Run(() =>
        {
            var rnd = new Random(7);
            using var s = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            var b = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                rnd.NextBytes(b);
                s.Position = rnd.NextInt64(0, s.Length - b.Length);
                s.Write(b);
                s.Flush();
            }
        });
        int stored = 0, failed = 0;
        try
        {
            for (int i = 0; i < 8; i++)
            {
                try
                {
                    var r = Put(path);
                    Blake3.HashHex(File.ReadAllBytes(_f.Store.ObjectPath(r.Digest))).ShouldBe(r.Digest.Hex);
                    stored++;
                }
                catch (VoltException e) when (e.Code == ExitCode.Conflict)
                {
                    failed++;
                }
            }
        }
        finally
        {
            stop.Cancel();
            mutator.Wait(TestContext.Current.CancellationToken);
        }
        (stored + failed).ShouldBe(8);
        foreach (var o in _f.Objects())
            Blake3.HashHex(File.ReadAllBytes(_f.Store.ObjectPath(o.Digest))).ShouldBe(o.Digest.Hex);
        _f.TempFiles().ShouldBeEmpty();
    }
}
