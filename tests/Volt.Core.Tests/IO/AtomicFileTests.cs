using Xunit;
using Shouldly;
using Volt.Core.IO;
using Volt.Testing;

namespace Volt.Core.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void WriteAllText_ReplacesContentAndLeavesNoTempFiles()
    {
        using var dir = new TempDir();
        var path = dir.Combine("sub", "state.json");
        AtomicFile.WriteAllText(path, "one");
        AtomicFile.WriteAllText(path, "two");
        File.ReadAllText(path).ShouldBe("two");
        Directory.GetFiles(dir.Combine("sub")).ShouldHaveSingleItem();
    }

    [Fact]
    public void WriteAllBytes_Unwatched_SwapsTheNewFileIn_AnOpenReaderKeepsTheOldBytes_NoTempFileLeft()
    {
        using var dir = new TempDir();
        var path = dir.Combine("s", "state.json");
        AtomicFile.WriteAllBytes(path, "first"u8, durable: false, unwatched: true); // no file yet: a plain rename
        File.ReadAllText(path).ShouldBe("first");
        using var old = File.OpenRead(path);
        AtomicFile.WriteAllBytes(path, "second"u8, durable: false, unwatched: true);
        AtomicFile.WriteAllBytes(path, "third"u8, durable: false, unwatched: true);
        File.ReadAllText(path).ShouldBe("third");
        new StreamReader(old).ReadToEnd().ShouldBe("first");
        Directory.GetFiles(dir.Combine("s")).ShouldHaveSingleItem();
    }

    [Fact]
    public void WriteAll_WritesEveryFileAcrossDirectoriesAndLeavesNoTempFiles()
    {
        using var dir = new TempDir();
        var state = dir.Combine("c", "state.json");
        AtomicFile.WriteAllText(state, "old");
        AtomicFile.WriteAll([
            (state, "new"u8.ToArray()),
            (dir.Combine("c", "config.json"), "{}"u8.ToArray()),
            (dir.Combine("units", "x.service"), "[Unit]"u8.ToArray()),
        ]);
        File.ReadAllText(state).ShouldBe("new");
        File.ReadAllText(dir.Combine("c", "config.json")).ShouldBe("{}");
        File.ReadAllText(dir.Combine("units", "x.service")).ShouldBe("[Unit]");
        Directory.GetFiles(dir.Combine("c")).Length.ShouldBe(2);
        Directory.GetFiles(dir.Combine("units")).ShouldHaveSingleItem();
    }

    [Fact]
    public void WriteAll_FailingWrite_ReplacesNothingAndLeavesNoTempFiles()
    {
        using var dir = new TempDir();
        var state = dir.Combine("c", "state.json");
        AtomicFile.WriteAllText(state, "old");
        File.WriteAllText(dir.Combine("blocker"), "a file, not a directory");
        Should.Throw<IOException>(() => AtomicFile.WriteAll([
            (state, "new"u8.ToArray()),
            (dir.Combine("blocker", "x.json"), "{}"u8.ToArray()),
        ]));
        File.ReadAllText(state).ShouldBe("old");
        Directory.GetFiles(dir.Combine("c")).ShouldHaveSingleItem();
    }

    [Fact]
    public void WriteAll_NotDurable_StillReplacesEveryFileAndLeavesNoTempFiles()
    {
        using var dir = new TempDir();
        var state = dir.Combine("c", "state.json");
        AtomicFile.WriteAllText(state, "old");
        AtomicFile.WriteAll([(state, "new"u8.ToArray()), (dir.Combine("c", "config.json"), "{}"u8.ToArray())], durable: false);
        AtomicFile.WriteAllBytes(dir.Combine("c", "one.json"), "1"u8, durable: false);
        File.ReadAllText(state).ShouldBe("new");
        File.ReadAllText(dir.Combine("c", "config.json")).ShouldBe("{}");
        File.ReadAllText(dir.Combine("c", "one.json")).ShouldBe("1");
        Directory.GetFiles(dir.Combine("c")).Length.ShouldBe(3);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("\0\0\0", true)]
    [InlineData("{}", false)]
    [InlineData("\0{", false)]
    public void IsTornRecord_IsTrueOnlyForNoBytesOrOnlyNulBytes(string text, bool torn) =>
        AtomicFile.IsTornRecord(System.Text.Encoding.UTF8.GetBytes(text)).ShouldBe(torn);

    [Fact]
    public void FileStat_ReportsKindsModesAndSymlinkTargetsWithoutFollowing()
    {
        using var dir = new TempDir();
        var file = dir.Write("f", "hello");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.CreateSymbolicLink(dir.Combine("l"), "f");
        var st = FileStat.LStat(file);
        st.Kind.ShouldBe(FileKind.File);
        st.Size.ShouldBe(5);
        st.Permissions.ShouldBe(0x1A0u); // 0640
        FileStat.LStat(dir.Combine("l")).Kind.ShouldBe(FileKind.Symlink);
        FileStat.LStat(dir.Path).Kind.ShouldBe(FileKind.Directory);
        Should.Throw<FileNotFoundException>(() => FileStat.LStat(dir.Combine("missing")));
    }
}
