using System.Security.Cryptography;
using System.Text;
using Shouldly;
using Volt.Core.Errors;
using Volt.Storage.Cas;
using Volt.Storage.Hashing;
using Xunit;

namespace Volt.Storage.Tests.Cas;

/// <summary>What every caller of the store relies on: addressing, durability, atomic visibility, refs.</summary>
public sealed class CasStoreContractTests : IDisposable
{
    private readonly CasFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Put_StoresUnderBlake3NameInTheSeedLayout()
    {
        var data = Encoding.UTF8.GetBytes("hello stellarium");
        var r = _f.Store.Put(data);
        r.Digest.ToString().ShouldBe("blake3:" + Blake3.HashHex(data));
        r.Created.ShouldBeTrue();
        _f.Store.ObjectPath(r.Digest).ShouldBe(Path.Combine(_f.Store.Root, "objects", r.Digest.Hex[..2], r.Digest.Hex));
        File.ReadAllBytes(_f.Store.ObjectPath(r.Digest)).ShouldBe(data);
    }

    [Fact]
    public void Put_SameContentTwice_StoresOneObject()
    {
        _f.Store.Put("x"u8).Created.ShouldBeTrue();
        _f.Store.Put("x"u8).Created.ShouldBeFalse();
        _f.Objects().Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(HashAlgo.Sha256, "sha256", 64)]
    [InlineData(HashAlgo.Sha512, "sha512", 128)]
    public async Task PutAsync_ShaDigests_LiveInTheirAlgorithmDirectory(HashAlgo algo, string dir, int hexLength)
    {
        var data = CasFixture.Random(3 << 20, 7);
        var expectedHex = Convert.ToHexStringLower(algo == HashAlgo.Sha256 ? SHA256.HashData(data) : SHA512.HashData(data));
        var r = await _f.Store.PutAsync(new MemoryStream(data), algo, null, TestContext.Current.CancellationToken);
        r.Digest.ToString().ShouldBe($"{dir}:{expectedHex}");
        r.Digest.Hex.Length.ShouldBe(hexLength);
        _f.Store.ObjectPath(r.Digest).ShouldBe(Path.Combine(_f.Store.Root, "objects", dir, expectedHex[..2], expectedHex));
        _f.Store.Exists(r.Digest).ShouldBeTrue();
    }

    [Fact]
    public async Task PutAsync_WithWrongExpectedDigest_StoresNothingAndLeavesNoTempFile()
    {
        var wrong = Digest.Parse("sha256:" + new string('0', 64));
        await Should.ThrowAsync<DigestMismatchException>(() =>
            _f.Store.PutAsync(new MemoryStream("data"u8.ToArray()), HashAlgo.Sha256, wrong, TestContext.Current.CancellationToken));
        _f.Objects().ShouldBeEmpty();
        _f.TempFiles().ShouldBeEmpty();
    }

    [Fact]
    public void OpenRead_MissingObject_IsNotFound()
    {
        var e = Should.Throw<VoltException>(() => _f.Store.OpenRead(Digest.Parse("blake3:" + new string('a', 64))));
        e.Code.ShouldBe(ExitCode.NotFound);
    }

    [Fact]
    public void PublishVerified_HashesTheStagedFileAndMovesItWithoutCopy()
    {
        var tmp = _f.Store.NewTempPath();
        File.WriteAllBytes(tmp, "staged"u8.ToArray());
        var inode = Volt.Core.IO.FileStat.LStat(tmp).Inode;
        var expected = ContentHasher.Hash(HashAlgo.Sha256, "staged"u8);
        var r = _f.Store.PublishVerified(tmp, expected);
        r.Created.ShouldBeTrue();
        File.Exists(tmp).ShouldBeFalse();
        Volt.Core.IO.FileStat.LStat(_f.Store.ObjectPath(expected)).Inode.ShouldBe(inode);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("images/../../etc")]
    [InlineData("/abs")]
    [InlineData("images/\0nul")]
    [InlineData("images//double")]
    [InlineData("images/sp ace")]
    [InlineData("")]
    public void Refs_InvalidName_IsUsageError(string name)
    {
        var d = _f.Store.Put("x"u8).Digest;
        Should.Throw<VoltException>(() => _f.Store.Refs.Set(name, d, RefKind.Blob, 1)).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void Refs_SetGetListDelete_RoundTrip()
    {
        var d = _f.Store.Put("x"u8).Digest;
        _f.Store.Refs.Set("images/a", d, RefKind.Blob, 1);
        _f.Store.Refs.Set("images/b", d, RefKind.Blob, 1);
        _f.Store.Refs.Set("registry/lib/x/_tags/v1.0", d, RefKind.Oci, 1);
        _f.Store.Refs.Get("images/a").Target.ShouldBe(d);
        _f.Store.Refs.List("images").Select(r => r.Name).ShouldBe(["images/a", "images/b"]);
        _f.Store.Refs.List().Count.ShouldBe(3);
        _f.Store.Refs.Delete("registry/lib/x/_tags/v1.0").ShouldBeTrue();
        Directory.Exists(Path.Combine(_f.Store.RefsDir, "registry")).ShouldBeFalse();
        _f.Store.Refs.Delete("images/missing").ShouldBeFalse();
        Should.Throw<VoltException>(() => _f.Store.Refs.Get("images/missing")).Code.ShouldBe(ExitCode.NotFound);
    }

    [Fact]
    public void Refs_NameThatIsAlsoAPrefixOfAnother_IsConflict()
    {
        var d = _f.Store.Put("x"u8).Digest;
        _f.Store.Refs.Set("images/a/b", d, RefKind.Blob, 1);
        Should.Throw<VoltException>(() => _f.Store.Refs.Set("images/a", d, RefKind.Blob, 1)).Code.ShouldBe(ExitCode.Conflict);
        _f.Store.Refs.Set("images/c", d, RefKind.Blob, 1);
        Should.Throw<VoltException>(() => _f.Store.Refs.Set("images/c/d", d, RefKind.Blob, 1)).Code.ShouldBe(ExitCode.Conflict);
    }

    [Theory]
    [InlineData("blake3:abc")]
    [InlineData("md5:" + "0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:" + "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Digest_Malformed_IsRejected(string text) => Digest.TryParse(text, out _).ShouldBeFalse();

    [Fact]
    public void CleanDeadTemps_RemovesFilesOfDeadWritersOnly()
    {
        var mine = _f.Store.NewTempPath();
        File.WriteAllText(mine, "in flight");
        var dead = Path.Combine(_f.Store.TmpDir, "999999999.deadbeef.part");
        File.WriteAllText(dead, "left by kill -9");
        Directory.CreateDirectory(Path.Combine(_f.Store.TmpDir, "uploads"));
        var deadStaged = Path.Combine(_f.Store.ObjectsDir, "ab", ".999999999.x.1.part");
        File.WriteAllText(deadStaged, "a killed build's staged object");
        _f.Store.EnumerateObjects().ShouldBeEmpty();
        _f.Store.CleanDeadTemps().ShouldBe(2);
        File.Exists(deadStaged).ShouldBeFalse();
        File.Exists(mine).ShouldBeTrue();
        File.Exists(dead).ShouldBeFalse();
        Directory.Exists(Path.Combine(_f.Store.TmpDir, "uploads")).ShouldBeTrue();
    }
}
