using Shouldly;
using Volt.Core.IO;
using Volt.Testing;
using Xunit;

namespace Volt.Core.Tests.IO;

/// <summary><see cref="FileStat.IsMountRoot"/> (statx's mount-root attribute) against what the mount table says.</summary>
public sealed class FileStatTests
{
    [Fact]
    public void IsMountRoot_IsTrueForMountPoints_FalseForPlainAndMissingDirectories()
    {
        FileStat.IsMountRoot("/").ShouldBe(true);
        FileStat.IsMountRoot("/proc").ShouldBe(true);
        using var dir = new TempDir("mountroot");
        FileStat.IsMountRoot(dir.Path).ShouldBe(false);
        FileStat.IsMountRoot(dir.Combine("missing")).ShouldBe(false);
    }

    [Fact]
    public void IsMountRoot_FollowsAMountAndItsUnmount()
    {
        TestEnv.RequireRoot("mounts a tmpfs");
        using var dir = new TempDir("mountroot");
        var target = dir.Combine("m");
        Directory.CreateDirectory(target);
        var mounted = TestEnv.Run("mount", "-t", "tmpfs", "tmpfs", target);
        mounted.Code.ShouldBe(0, mounted.Err);
        try
        {
            FileStat.IsMountRoot(target).ShouldBe(true);
            File.ReadAllText("/proc/self/mountinfo").ShouldContain(" " + target + " ");
            Directory.CreateDirectory(Path.Combine(target, "sub"));
            FileStat.IsMountRoot(Path.Combine(target, "sub")).ShouldBe(false, "a directory inside a mount is not its root");
        }
        finally
        {
            TestEnv.Run("umount", target).Code.ShouldBe(0);
        }
        FileStat.IsMountRoot(target).ShouldBe(false);
    }
}
