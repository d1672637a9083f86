using System.CommandLine;
using System.Text.Json.Nodes;
using Shouldly;
using Volt.Cli;
using Volt.Commands.Shortcuts;
using Volt.Rendering;
using Xunit;

namespace Volt.Tests.Commands;

/// <summary>podman's top-level names: each is the long form's command (same symbols, same handler) and behaves the same.</summary>
public sealed class ShortcutCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static Command Find(RootCommand root, params string[] path)
    {
        Command c = root;
        foreach (var p in path) c = c.Subcommands.Single(s => s.Name == p || s.Aliases.Contains(p));
        return c;
    }

    [Theory]
    [InlineData("create", "container create")]
    [InlineData("start", "container start")]
    [InlineData("stop", "container stop")]
    [InlineData("restart", "container restart")]
    [InlineData("rm", "container delete")]
    [InlineData("exec", "container exec")]
    [InlineData("pull", "image pull")]
    [InlineData("push", "image push")]
    [InlineData("images", "image list")]
    [InlineData("rmi", "image rm")]
    public void Each_shortcut_has_the_long_forms_arguments_options_and_handler(string shortcut, string longForm)
    {
        var root = new VoltApp(new TestConsole(), VoltEnvironment.From(new Dictionary<string, string>()), TimeProvider.System).Root;
        var s = Find(root, shortcut).ShouldBeOfType<ShortcutCommand>();
        var target = (VoltCommand)Find(root, longForm.Split(' '));
        s.LongForm.ShouldBe(longForm);
        s.Arguments.ShouldBe(target.Arguments);
        s.Options.ShouldBe(target.Options);
        s.AuditAction.ShouldBe(target.AuditAction);
        s.PositionalsBeforeCommand.ShouldBe(target is ITrailingCommand t ? t.PositionalsBeforeCommand : -1);
        s.Examples.Length.ShouldBe(target.Examples.Length);
        s.Examples.ShouldAllBe(e => e == "volt " + shortcut || e.StartsWith("volt " + shortcut + " ") || !e.Contains("volt " + longForm));
    }

    [Theory]
    [InlineData("start", "container", "start")]
    [InlineData("stop", "container", "stop")]
    [InlineData("restart", "container", "restart")]
    [InlineData("rm", "container", "rm")]
    public void Container_shortcuts_answer_as_the_long_form_for_an_unknown_container(string shortcut, string noun, string verb)
    {
        var a = _cli.Run(shortcut, "nope");
        var b = _cli.Run(noun, verb, "nope");
        a.Code.ShouldBe(3, a.ToString());
        a.Code.ShouldBe(b.Code);
        a.Err.ShouldBe(b.Err);
    }

    [Fact]
    public void Exec_shortcut_answers_as_container_exec()
    {
        var a = _cli.Run("exec", "nope", "true");
        a.Code.ShouldBe(3, a.ToString());
        a.Err.ShouldBe(_cli.Run("container", "exec", "nope", "true").Err);
        // Options end at the container: the second -u is the command's (a usage error would be 2).
        _cli.Run("exec", "-u", "0", "nope", "id", "-u").Code.ShouldBe(3);
    }

    [Fact]
    public void Create_shortcut_answers_as_container_create()
    {
        var a = _cli.Run("create", "/no/such/image", "--name", "c");
        a.Code.ShouldBe(3, a.ToString());
        a.Err.ShouldBe(_cli.Run("container", "create", "/no/such/image", "--name", "c").Err);
    }

    [Fact]
    public void Pull_and_push_shortcuts_answer_as_the_image_commands()
    {
        var pull = _cli.Run("pull", "NOT A REF");
        pull.Code.ShouldBe(_cli.Run("image", "pull", "NOT A REF").Code);
        pull.Code.ShouldNotBe(0);
        var push = _cli.Run("push", "127.0.0.1:1/missing:1");
        push.Code.ShouldBe(3, push.ToString());
        push.Err.ShouldBe(_cli.Run("image", "push", "127.0.0.1:1/missing:1").Err);
    }

    [Fact]
    public void Images_inspect_and_rmi_act_on_images_as_the_long_forms()
    {
        _cli.Dir.Write("rootfs/etc/hostname", "box\n");
        _cli.Run("image", "build-from-dir", _cli.Dir.Combine("rootfs"), "--name", "box:1").Code.ShouldBe(0);
        var images = _cli.Run("images", "-o", "json");
        images.Code.ShouldBe(0, images.ToString());
        images.Out.ShouldBe(_cli.Run("image", "list", "-o", "json").Out);
        images.Out.ShouldContain("\"box\"");

        var inspect = _cli.Run("inspect", "box:1", "-o", "json");
        inspect.Code.ShouldBe(0, inspect.ToString());
        inspect.Out.ShouldBe(_cli.Run("image", "inspect", "box:1", "-o", "json").Out);

        _cli.Run("rmi", "box:1").Code.ShouldBe(0);
        JsonNode.Parse(_cli.Run("images", "-o", "json").Out)!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public void Inspect_of_neither_a_container_nor_an_image_exits_3()
    {
        var r = _cli.Run("inspect", "ghost");
        r.Code.ShouldBe(3);
        r.Err.ShouldContain("no container or image named \"ghost\"");
        _cli.Run("inspect", "Not/A:Valid:Name").Code.ShouldBe(3);
    }

    [Fact]
    public void Stats_prints_one_sample_as_top_does_when_piped()
    {
        var r = _cli.Run("stats", "-o", "json");
        r.Code.ShouldBe(0, r.ToString());
        r.Out.Trim().ShouldBe(_cli.Run("top", "-o", "json").Out.Trim());
        r.Out.Trim().ShouldBe("[]");
        // On a terminal top refreshes; stats still prints once and returns.
        var console = new TestConsole { IsOutputTerminal = true };
        _cli.Run(console, "stats").Code.ShouldBe(0);
        console.StdOut.ShouldStartWith("NAME");
    }

    [Fact]
    public void Help_of_a_shortcut_shows_its_own_examples()
    {
        var r = _cli.Run("exec", "--help");
        r.Code.ShouldBe(0);
        r.Out.ShouldContain("volt exec -it web /bin/sh");
        r.Out.ShouldContain("--user");
    }

    [Fact]
    public void The_trailing_command_split_puts_a_double_dash_after_the_container()
    {
        var exec = new Volt.Commands.Container.ContainerExecCommand();
        TrailingCommand.Split(["exec", "-u", "0", "-it", "web", "id", "-u"], exec, exec.PositionalsBeforeCommand).ShouldBe(["exec", "-u", "0", "-it", "web", "--", "id", "-u"]);
        TrailingCommand.Split(["container", "exec", "--env=A=1", "web", "env"], exec, exec.PositionalsBeforeCommand).ShouldBe(["container", "exec", "--env=A=1", "web", "--", "env"]);
        TrailingCommand.Split(["-o", "json", "exec", "web", "--", "ls"], exec, exec.PositionalsBeforeCommand).ShouldBeNull();
        TrailingCommand.Split(["exec", "--", "web", "ls"], exec, exec.PositionalsBeforeCommand).ShouldBeNull();
    }
}
