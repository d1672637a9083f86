using Shouldly;
using Volt.Core.Security;
using Volt.Testing;
using Xunit;

namespace Volt.Core.Tests.Security;

public sealed class CallerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Proc(int pid, string status)
    {
        var dir = _dir.Combine("proc", pid.ToString());
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "status"), status);
        return _dir.Combine("proc");
    }

    [Fact]
    public void FromPeer_ReadsSupplementaryGroupsOfThePeerProcess()
    {
        var proc = Proc(77, "Name:\tvolt\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t24 990 1000 \n");
        var c = Caller.FromPeer(77, 1000, 1000, proc).ShouldNotBeNull();
        c.Groups.ShouldBe([24u, 990u, 1000u]);
        c.InGroup(990).ShouldBeTrue();
        c.InGroup(991).ShouldBeFalse();
        c.IsRoot.ShouldBeFalse();
    }

    [Fact]
    public void FromPeer_EmptyGroupsLine_IsNoSupplementaryGroups()
    {
        var proc = Proc(78, "Gid:\t1000\t1000\t1000\t1000\nGroups:\t\n");
        Caller.FromPeer(78, 1000, 1000, proc).ShouldNotBeNull().Groups.ShouldBeEmpty();
    }

    [Fact]
    public void FromPeer_ProcessGone_IsNull_SoTheRequestIsDenied() => Caller.FromPeer(79, 1000, 1000, _dir.Combine("proc")).ShouldBeNull();

    [Fact]
    public void FromPeer_NoPid_IsNull() => Caller.FromPeer(0, 1000, 1000).ShouldBeNull();

    [Fact]
    public void Current_IsThisProcess()
    {
        var c = Caller.Current();
        c.Pid.ShouldBe(Environment.ProcessId);
        c.Uid.ShouldBe(Volt.Core.IO.Posix.EffectiveUid);
    }

    [Fact]
    public void UserDb_ResolvesGroupsAndNamesFromItsFiles()
    {
        File.WriteAllText(_dir.Combine("group"), "root:x:0:\n# comment\nvolt:x:990:karl\n");
        File.WriteAllText(_dir.Combine("passwd"), "root:x:0:0:root:/root:/bin/sh\nkarl:x:1000:1000::/home/karl:/bin/sh\n");
        UserDb.GroupId("volt", _dir.Path).ShouldBe(990u);
        UserDb.GroupId("kvm", _dir.Path).ShouldBeNull();
        UserDb.NameOf(1000, _dir.Path).ShouldBe("karl");
        UserDb.NameOf(1234, _dir.Path).ShouldBe("1234");
    }
}
