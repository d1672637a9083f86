using System.Diagnostics;
using Shouldly;
using Volt.Testing;
using Volt.Workloads.Runtime;
using Xunit;

namespace Volt.Workloads.Tests.Nspawn;

/// <summary>The <c>--user</c> resolution against an image's files, and the generated helper run on this host.</summary>
public sealed class UserSwitchTests : IDisposable
{
    private readonly TempDir _dir = new("user");

    public void Dispose() => _dir.Dispose();

    private string Rootfs()
    {
        var root = _dir.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n");
        File.WriteAllText(Path.Combine(root, "etc", "group"), "root:x:0:\nwww:x:33:\nadm:x:4:www\n");
        return root;
    }

    [Fact]
    public void Numbers_need_no_entry_and_names_come_from_the_images_files()
    {
        var root = Rootfs();
        UserSwitch.Resolve("root", root).ShouldBeNull();
        UserSwitch.Resolve("0", root).ShouldBeNull();
        UserSwitch.Resolve("1234", root).ShouldBe(new UserSwitch(1234, 0, [0], "/"), new UserSwitchComparer());
        UserSwitch.Resolve("1234:99", root)!.Gid.ShouldBe(99u);
        var www = UserSwitch.Resolve("www", root)!;
        (www.Uid, www.Gid, www.Home).ShouldBe((33u, 33u, "/var/www"));
        www.Groups.ShouldBe([33u, 4u]);
        UserSwitch.Resolve("33", root)!.Home.ShouldBe("/var/www", "a uid with an entry takes its group and home");
        Should.Throw<Volt.Core.Errors.VoltException>(() => UserSwitch.Resolve("nobody", root)).Code.ShouldBe(Volt.Core.Errors.ExitCode.NotFound);
    }

    [Fact]
    public void The_helper_switches_user_and_groups_then_runs_the_command_or_exits_127()
    {
        TestEnv.RequireRoot("setresuid to another user");
        var helper = _dir.Combine("switch");
        new UserSwitch(1234, 33, [33, 4], "/").WriteHelper(helper);
        var id = TestEnv.Run(helper, "/usr/bin/id");
        id.Code.ShouldBe(0, id.Err);
        id.Out.Trim().ShouldStartWith("uid=1234 gid=33");
        id.Out.ShouldContain("groups=33");
        id.Out.ShouldContain("4");
        TestEnv.Run(helper, "/no/such/bin").Code.ShouldBe(127);
        TestEnv.Run(helper, "/etc/hostname").Code.ShouldBe(126);
    }

    private sealed class UserSwitchComparer : IEqualityComparer<UserSwitch>
    {
        public bool Equals(UserSwitch? a, UserSwitch? b) =>
            a is not null && b is not null && a.Uid == b.Uid && a.Gid == b.Gid && a.Home == b.Home && a.Groups.SequenceEqual(b.Groups);

        public int GetHashCode(UserSwitch u) => (int)u.Uid;
    }
}
