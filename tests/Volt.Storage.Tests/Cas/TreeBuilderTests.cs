using Shouldly;
using Volt.Core.Errors;
using Volt.Storage.Cas;
using Volt.Storage.Hashing;
using Xunit;

namespace Volt.Storage.Tests.Cas;

public sealed class TreeBuilderTests : IDisposable
{
    private readonly CasFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string MakeTree()
    {
        _f.Write("src/bin/tool", CasFixture.Random(5000, 1));
        _f.Write("src/etc/a.conf", "same");
        _f.Write("src/etc/b.conf", "same");
        _f.Write("src/big.bin", CasFixture.Random(9 << 20, 2)); // over the small-file limit: streamed path
        _f.Write("src/empty", "");
        Directory.CreateDirectory(_f.Source() + "/var/empty-dir");
        File.CreateSymbolicLink(_f.Source() + "/lib", "bin");
        File.SetUnixFileMode(_f.Source() + "/bin/tool", (UnixFileMode)0x1ED); // 0755
        return _f.Source();
    }

    [Fact]
    public void Build_StoresEveryFileAndAManifestWithMetadata()
    {
        var r = new TreeBuilder(_f.Store, 2).Build(MakeTree(), "images/test", ct: TestContext.Current.CancellationToken);
        r.Files.ShouldBe(5);
        r.Dirs.ShouldBe(5); // ., bin, etc, var, var/empty-dir
        r.Others.ShouldBe(1);
        r.NewObjects.ShouldBe(5); // tool, "same", big, "", manifest
        r.DedupBytes.ShouldBe(4);

        var m = TreeManifest.Load(_f.Store, _f.Store.Refs.Get("images/test").Target);
        m.Entries.Select(e => e.Path).ShouldBe([".", "big.bin", "bin", "bin/tool", "empty", "etc", "etc/a.conf", "etc/b.conf", "lib", "var", "var/empty-dir"]);
        var tool = m.Entries.Single(e => e.Path == "bin/tool");
        tool.Mode.ShouldBe("0755");
        tool.Digest.ShouldBe("blake3:" + Blake3.HashHex(File.ReadAllBytes(_f.Source() + "/bin/tool")));
        m.Entries.Single(e => e.Path == "lib").Target.ShouldBe("bin");
        m.Entries.Single(e => e.Path == "var/empty-dir").Type.ShouldBe("dir");
        var big = m.Entries.Single(e => e.Path == "big.bin");
        File.ReadAllBytes(_f.Store.ObjectPath(Digest.Parse(big.Digest!))).ShouldBe(File.ReadAllBytes(_f.Source() + "/big.bin"));
        _f.Store.Refs.Get("images/test").Size.ShouldBe(m.Size);
        _f.TempFiles().ShouldBeEmpty();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Scan_OnSeveralThreads_GivesTheSameEntriesInTheSameOrderAsOneThread(int workers)
    {
        var dir = MakeTree();
        for (int i = 0; i < 30; i++) _f.Write($"src/d{i % 7}/s{i % 3}/f{i}", CasFixture.Random(10 + i, i));
        _f.Write("src/top.txt", "root-level file after the subdirectories");

        var one = TreeScanner.Scan(dir, TestContext.Current.CancellationToken);
        var many = TreeScanner.Scan(dir, TestContext.Current.CancellationToken, workers);

        many.Entries.Select(e => (e.Path, e.Type, e.Mode, e.Size, e.Target)).ShouldBe(one.Entries.Select(e => (e.Path, e.Type, e.Mode, e.Size, e.Target)));
        many.Files.Select(f => f.Entry.Path).ShouldBe(one.Files.Select(f => f.Entry.Path));
        many.NonFiles.Select(n => n.Path).ShouldBe(one.NonFiles.Select(n => n.Path));
        (many.Dirs, many.Others).ShouldBe((one.Dirs, one.Others));
        TreeBuilder.Fingerprint(many).ShouldBe(TreeBuilder.Fingerprint(one), "a cache written by a one-thread scan still matches");
    }

    [Fact]
    public void Fingerprint_LongerThanItsBufferAndWithAHugePath_IsTheHashOfTheWholeEncoding()
    {
        var dir = MakeTree();
        for (int i = 0; i < 900; i++) _f.Write($"src/many/file-with-a-longish-name-{i:D4}.txt", "x");
        var deep = string.Join('/', Enumerable.Repeat(new string('d', 200), 120)); // ~24 000 characters
        var scan = TreeScanner.Scan(dir, TestContext.Current.CancellationToken);
        scan.Entries.Add(new TreeEntry { Path = deep, Type = "dir", Mode = "0755" });

        var expected = new System.Buffers.ArrayBufferWriter<byte>();
        void Text(string? s)
        {
            var bytes = s is null ? [] : System.Text.Encoding.UTF8.GetBytes(s);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(expected.GetSpan(4), s is null ? -1 : bytes.Length);
            expected.Advance(4);
            System.Buffers.BuffersExtensions.Write(expected, bytes);
        }
        Text(TreeManifest.SchemaV1);
        foreach (var e in scan.Entries)
        {
            Text(e.Path); Text(e.Type); Text(e.Mode);
            var span = expected.GetSpan(32);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span, e.Uid);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[4..], e.Gid);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[8..], e.MTime.UtcTicks);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[16..], e.MTime.Offset.Ticks);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(span[24..], e.Size);
            expected.Advance(32);
            Text(e.Digest); Text(e.Target); Text(e.RDev);
        }

        expected.WrittenCount.ShouldBeGreaterThan(64 * 1024);
        TreeBuilder.Fingerprint(scan).ShouldBe(Blake3.Hash(expected.WrittenSpan));
    }

    [Fact]
    public void Build_UnchangedTreeAgain_WritesNoNewObjectsAndSameManifest()
    {
        var b = new TreeBuilder(_f.Store, 2);
        var first = b.Build(MakeTree(), "images/a", ct: TestContext.Current.CancellationToken);
        var second = b.Build(_f.Source(), "images/b", ct: TestContext.Current.CancellationToken);
        second.NewObjects.ShouldBe(0);
        second.Manifest.ShouldBe(first.Manifest);
        second.DedupBytes.ShouldBe(second.Bytes);
    }

    [Fact]
    public void Build_MissingDirectory_IsNotFoundNamingIt()
    {
        var e = Should.Throw<VoltException>(() => new TreeBuilder(_f.Store, 1).Build("/nonexistent/tree", "images/x"));
        e.Code.ShouldBe(ExitCode.NotFound);
        e.Message.ShouldContain("/nonexistent/tree");
    }

    [Fact]
    public void Build_InvalidRefName_IsUsageErrorAndStoresNothing()
    {
        var e = Should.Throw<VoltException>(() => new TreeBuilder(_f.Store, 1).Build(MakeTree(), "images/../x"));
        e.Code.ShouldBe(ExitCode.Usage);
        _f.Objects().ShouldBeEmpty();
    }

    [Fact]
    public void Build_Cancelled_LeavesNoStagedFilesAndNoRef()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Should.Throw<OperationCanceledException>(() => new TreeBuilder(_f.Store, 2).Build(MakeTree(), "images/x", ct: cts.Token));
        _f.TempFiles().ShouldBeEmpty();
        _f.Store.Refs.TryGet("images/x").ShouldBeNull();
    }

    [Fact]
    public void Build_TwoOverlappingTreesAtOnce_BothSucceedAndSharedObjectsAreStoredOnce()
    {
        for (var i = 0; i < 300; i++)
        {
            var shared = CasFixture.Random(2000 + i, 100 + i);
            _f.Write($"a/f{i}", shared);
            _f.Write($"b/g{i}", shared);
            _f.Write($"b/own{i}", CasFixture.Random(100, 1000 + i));
        }
        var results = new BuildResult[2];
        Parallel.Invoke(
            () => results[0] = new TreeBuilder(_f.Store, 2).Build(_f.Source("a"), "images/a"),
            () => results[1] = new TreeBuilder(_f.Store, 2).Build(_f.Source("b"), "images/b"));
        results.ShouldAllBe(r => r.Files > 0);
        var objects = _f.Objects();
        objects.Count.ShouldBe(600 + 2); // 300 shared + 300 own + 2 manifests
        new Verifier(_f.Store, 2).Run(repair: false).Ok.ShouldBeTrue();
    }

    [Theory]
    [InlineData("/srv/web/", "images/web")]
    [InlineData("./my rootfs", "images/my-rootfs")]
    public void DefaultRefName_DerivesFromTheDirectoryName(string dir, string expected) =>
        TreeBuilder.DefaultRefName(dir).ShouldBe(expected);
}
