using Shouldly;
using Volt.Core.Errors;
using Volt.Core.Paths;
using Volt.Testing;
using Volt.Workloads.Containers;
using Volt.Workloads.Nspawn;
using Xunit;

namespace Volt.Workloads.Tests.Nspawn;

/// <summary>The container's environment lives in nspawn's 0600 settings file, not on its command line or in config.json.</summary>
public sealed class NspawnSettingsTests
{
    private static readonly string[] Awkward = ["A=hello world", "B=it's \"quoted\" $HOME %n \\back\\slash", "C=", "D=tab\there", "E=;semi #hash", "F='\"'\"'"];

    [Fact]
    public void Values_of_every_shape_read_back_exactly()
    {
        var text = NspawnSettings.Render(Awkward, ["HOME=/home/app"]);
        text.ShouldContain("[Exec]\n");
        NspawnSettings.ParseEnv(text).ShouldBe(Awkward);
        text.ShouldContain("Environment='HOME=/home/app'"); // the launcher's addition is in the file for nspawn, not read back as config
    }

    [Theory]
    [InlineData("A=two\nlines")]
    [InlineData("A=cr\rhere")]
    [InlineData("A=nul\0here")]
    public void A_value_a_settings_file_cannot_hold_is_a_usage_error(string env)
    {
        Should.Throw<VoltException>(() => ResourceParser.Env(env)).Code.ShouldBe(ExitCode.Usage);
        Should.Throw<VoltException>(() => NspawnSettings.Render([env])).Code.ShouldBe(ExitCode.Usage);
    }

    [Fact]
    public void With_the_environment_in_settings_the_command_line_carries_none_of_it()
    {
        var c = new ContainerConfig { Name = "web", Image = "/img", Command = ["/bin/sh"], Env = ["TOKEN=s3cret"] };
        NspawnCommand.Build(c, "/r", envInSettings: true).ShouldNotContain(a => a.Contains("s3cret") || a.StartsWith("--setenv"));
        NspawnCommand.Build(c, "/r").ShouldContain("--setenv=TOKEN=s3cret"); // image build steps keep --setenv
    }

    [Fact]
    public void The_store_keeps_config_json_free_of_the_environment_and_reads_it_back_from_the_0600_file()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(new VoltPaths(dir.Path));
        var c = new ContainerConfig { Name = "web", Image = "/img", Env = Awkward };
        store.Save(c);
        File.ReadAllText(store.ConfigFile("web")).ShouldNotContain("hello world");
        File.GetUnixFileMode(store.SettingsFile("web")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        store.Config("web").Env.ShouldBe(Awkward);
        store.SettingsFile("web").ShouldBe(Path.Combine(store.Dir("web"), "web.nspawn")); // where nspawn looks for -M web -D …/web/rootfs
    }

    [Fact]
    public void A_record_from_before_the_split_keeps_the_environment_its_config_json_holds()
    {
        using var dir = new TempDir();
        var store = new ContainerStore(new VoltPaths(dir.Path));
        Directory.CreateDirectory(store.Dir("old"));
        File.WriteAllText(store.ConfigFile("old"), """{"name":"old","image":"/img","env":["A=1"]}""");
        store.Config("old").Env.ShouldBe(["A=1"]);
    }
}
