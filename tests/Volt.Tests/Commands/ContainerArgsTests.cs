using System.Text.Json.Nodes;
using Shouldly;
using Volt.Testing;
using Xunit;

namespace Volt.Tests.Commands;

/// <summary>
/// Everything from the container's command on belongs to the command, also when the same option appears before IMAGE
/// (<c>run -e A=1 IMG sh … -e B=2</c>): in memory through <c>container create</c> and the audit trail.
/// </summary>
public sealed class ContainerArgsTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose()
    {
        foreach (var d in Directory.Exists(Path.Combine(_cli.Root, "var/lib/volt/containers")) ? Directory.GetDirectories(Path.Combine(_cli.Root, "var/lib/volt/containers")) : [])
            _cli.Run("container", "delete", Path.GetFileName(d));
        _cli.Dispose();
    }

    private string Image()
    {
        TestEnv.RequireRoot("create mounts the rootfs overlay");
        var dir = _cli.Dir.Combine("img");
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        File.WriteAllText(Path.Combine(dir, "bin", "sh"), "");
        return dir;
    }

    private JsonNode Config(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(_cli.Root, "var/lib/volt/containers", name, "config.json")))!;

    /// <summary>The container's environment: in its 0600 nspawn settings file, never in config.json (docs/security.md).</summary>
    private string[] Env(string name)
    {
        var dir = Path.Combine(_cli.Root, "var/lib/volt/containers", name);
        (Config(name)["env"]?.AsArray().Count ?? 0).ShouldBe(0);
        return [.. Volt.Workloads.Nspawn.NspawnSettings.ParseEnv(File.ReadAllText(Path.Combine(dir, Volt.Workloads.Nspawn.NspawnSettings.FileName(name))))];
    }

    private static string[] Strings(JsonNode? a) => [.. a!.AsArray().Select(x => (string)x!)];

    [Fact]
    public void An_option_repeated_after_the_command_is_the_commands_argument()
    {
        var image = Image();
        var r = _cli.Run("container", "create", "--name", "a", "-e", "A=1", image, "sh", "-c", "echo \"$0,$1 B=$B\"", "-e", "B=2");
        r.Code.ShouldBe(0, r.ToString());
        Env("a").ShouldBe(["A=1"]);
        Strings(Config("a")["command"]).ShouldBe(["sh", "-c", "echo \"$0,$1 B=$B\"", "-e", "B=2"]);
    }

    [Fact]
    public void A_publish_flag_in_the_command_is_not_volts()
    {
        var image = Image();
        var r = _cli.Run("container", "create", "--name", "p", "-p", "18999:80", image, "echo", "-p", "80", "-o", "json", "--help");
        r.Code.ShouldBe(0, r.ToString());
        Strings(Config("p")["publish"]).ShouldBe(["18999:80"]);
        Strings(Config("p")["command"]).ShouldBe(["echo", "-p", "80", "-o", "json", "--help"]);
    }

    [Fact]
    public void Options_between_image_and_command_stay_volts()
    {
        var image = Image();
        var r = _cli.Run("container", "create", image, "--name", "b", "-e", "X=1", "env", "-e", "Y=2");
        r.Code.ShouldBe(0, r.ToString());
        Env("b").ShouldBe(["X=1"]);
        Strings(Config("b")["command"]).ShouldBe(["env", "-e", "Y=2"]);
    }
}
