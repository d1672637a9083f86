using Shouldly;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;
using Xunit;

namespace Volt.Workloads.Tests.Nspawn;

public sealed class NspawnCommandTests
{
    private static ContainerConfig Config(params string[] command) => new()
    {
        Name = "web", Image = "/img", Command = command, Env = ["A=1"], Workdir = "/srv", User = "nobody",
    };

    [Fact]
    public void A_networked_container_joins_the_namespace_it_was_given_and_keeps_the_resolv_conf_written_for_it()
    {
        var args = NspawnCommand.Build(Config("/bin/httpd"), "/r", netns: "/run/netns/vcabc-web");
        args.ShouldContain("--network-namespace-path=/run/netns/vcabc-web");
        args.ShouldContain("--resolv-conf=off");
        args.ShouldNotContain("--private-network");
    }

    [Fact]
    public void Carries_the_flags_nspawn_needs_without_systemd_and_the_options()
    {
        var args = NspawnCommand.Build(Config("/bin/httpd", "-f") with { Userns = UserNamespace.Private }, "/r");
        args.ShouldContain("--register=no");
        args.ShouldContain("--keep-unit");
        args.ShouldContain("--private-network");
        args.ShouldContain("--private-users=pick");
        args.ShouldContain("--as-pid2");
        args.ShouldContain("--setenv=A=1");
        args.ShouldContain("--chdir=/srv");
        args.ShouldContain("--user=nobody");
        args.ShouldContain("--pipe");
        args.Skip(args.ToList().IndexOf("--") + 1).ShouldBe(["/bin/httpd", "-f"]);
        args[args.ToList().IndexOf("-D") + 1].ShouldBe("/r");
        args[args.ToList().IndexOf("-M") + 1].ShouldBe("web");
    }

    [Fact]
    public void An_init_runs_as_pid1_and_volumes_become_binds()
    {
        var c = Config("/sbin/init") with { Volumes = [new VolumeMount("/data", "/d", false), new VolumeMount("/etc/hosts", "/h", true)] };
        var args = NspawnCommand.Build(c, "/r", ConsoleMode.Interactive);
        args.ShouldNotContain("--as-pid2");
        args.ShouldContain("--bind=/data:/d");
        args.ShouldContain("--bind-ro=/etc/hosts:/h");
        args.ShouldContain("--console=interactive");
        args.ShouldNotContain("--private-users=pick"); // the host's user namespace is the default
    }

    [Fact]
    public void Matches_its_own_cmdline_only()
    {
        var args = NspawnCommand.Build(Config("/bin/sh"), "/r");
        NspawnCommand.Matches(args, "web", "/r").ShouldBeTrue();
        NspawnCommand.Matches(args, "db", "/r").ShouldBeFalse();
        NspawnCommand.Matches(["/bin/sleep", "-D", "/r", "-M", "web"], "web", "/r").ShouldBeFalse();
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("100%", "100%%")]
    [InlineData("$HOME", "$$HOME")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("", "\"\"")]
    public void Unit_quoting_follows_systemd(string arg, string quoted) => UnitRenderer.Quote(arg).ShouldBe(quoted);
}
