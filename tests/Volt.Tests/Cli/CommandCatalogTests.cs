using System.CommandLine;
using Shouldly;
using Volt.Cli;
using Volt.Commands;
using Volt.Rendering;
using Xunit;

namespace Volt.Tests.Cli;

/// <summary>The lazily built command tree: a run builds only the subtree it names, and behaves as with the whole tree.</summary>
/// <remarks>Alone: a CI run saw "Collection was modified" while other in-process CLI tests built trees beside it.</remarks>
[Collection(nameof(CommandCatalogTests))]
public sealed class CommandCatalogTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private VoltApp App(TestConsole? console = null) =>
        new(console ?? new TestConsole(), VoltEnvironment.From(_cli.Env), TimeProvider.System);

    [Fact]
    public void Every_entry_is_named_as_the_command_it_builds_and_names_are_unique()
    {
        foreach (var e in CommandCatalog.Entries)
        {
            var c = e.Build();
            c.Name.ShouldBe(e.Name);
            c.Aliases.ShouldBeEmpty($"'{e.Name}': a top-level alias would not be found by name before the tree is built");
        }
        CommandCatalog.Entries.Select(e => e.Name).ShouldBeUnique();
    }

    [Fact]
    public void The_whole_tree_holds_every_entry_in_help_order()
    {
        App().Root.Subcommands.Select(c => c.Name).ShouldBe(CommandCatalog.Entries.Select(e => e.Name));
    }

    [Theory]
    [InlineData("ps", "ps")]
    [InlineData("-o json ps", "ps")]
    [InlineData("--output json service list", "service")]
    [InlineData("--root /tmp/x --config /tmp/c.yaml --debug cas status", "cas")]
    [InlineData("--output=json ps", "ps")]
    [InlineData("--debug run --rm img true", "run")]
    public void The_first_word_after_global_options_is_the_command(string line, string expected)
    {
        VoltApp.TopLevelName(line.Split(' ')).ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("-o json")]
    [InlineData("-- ps")]
    [InlineData("[suggest:4] volt")]
    [InlineData("@args.rsp")]
    public void Without_a_command_word_first_the_whole_tree_is_used(string line)
    {
        var args = line.Length == 0 ? [] : line.Split(' ');
        VoltApp.TopLevelName(args).ShouldBeNull();
        var app = App();
        app.RootFor(args).ShouldBeSameAs(app.Root);
    }

    [Fact]
    public void A_run_builds_only_the_named_commands_subtree()
    {
        App().RootFor(["service", "start", "web"]).Subcommands.Select(c => c.Name).ShouldBe(["service"]);
        App().RootFor(["--version"]).Subcommands.ShouldBeEmpty();
        var unknown = App();
        unknown.RootFor(["frobnicate"]).ShouldBeSameAs(unknown.Root);
    }

    [Fact]
    public void A_group_built_for_one_subcommand_holds_it_alone_and_any_other_word_gets_the_whole_group()
    {
        var groups = CommandCatalog.Entries.Where(e => e.BuildFor is not null).ToList();
        groups.Select(e => e.Name).ShouldBe(["task", "service"]);
        foreach (var e in groups)
        {
            var whole = e.Build().Subcommands.Select(c => c.Name).ToList();
            foreach (var child in whole) e.BuildFor!(child).Subcommands.Select(c => c.Name).ShouldBe([child], $"{e.Name} {child}");
            e.BuildFor!("ls").Subcommands.Select(c => c.Name).ShouldBe(whole); // an alias, a typo: every child
        }
    }

    [Fact]
    public void A_run_of_one_service_subcommand_builds_that_subcommand_only_and_runs_as_with_the_whole_group()
    {
        App().RootFor(["service", "start", "web"]).Subcommands.Single().Subcommands.Select(c => c.Name).ShouldBe(["start"]);
        App().RootFor(["service", "--help"]).Subcommands.Single().Subcommands.Count.ShouldBeGreaterThan(5);
        var r = _cli.Run("service", "status", "nosuch");
        r.Code.ShouldBe(3, r.ToString());
        _cli.Run("service", "ls").Code.ShouldBe(0); // the alias: found in the whole group
        var typo = _cli.Run("service", "strat", "web");
        typo.Code.ShouldBe(2, typo.ToString());
        typo.Err.ShouldContain("volt service --help");
    }

    /// <summary>Every command's help, from the lazy tree and from the whole one: the same text, examples included.</summary>
    [Fact]
    public void Help_of_every_command_is_the_same_from_its_subtree_as_from_the_whole_tree()
    {
        var whole = App().Root;
        var paths = new List<string[]>();
        void Walk(Command c, string[] path)
        {
            foreach (var s in c.Subcommands) { paths.Add([.. path, s.Name]); Walk(s, [.. path, s.Name]); }
        }
        Walk(whole, []);
        paths.Count.ShouldBeGreaterThan(100);
        foreach (var path in paths)
        {
            var lazyConsole = new TestConsole();
            var lazyCode = App(lazyConsole).Run([.. path, "--help"]);
            var fullConsole = new TestConsole();
            var full = App(fullConsole);
            _ = full.Root;
            var fullCode = full.Run([.. path, "--help"]);
            lazyCode.ShouldBe(fullCode, string.Join(' ', path));
            lazyConsole.StdOut.ShouldBe(fullConsole.StdOut, string.Join(' ', path));
            lazyConsole.StdOut.ShouldContain("Usage:");
        }
    }

    [Fact]
    public void Errors_name_the_same_command_path_from_the_subtree()
    {
        var r = _cli.Run("service", "list", "--bogus");
        r.Code.ShouldBe(2, r.ToString());
        r.Err.ShouldContain("volt service list --help");
    }

    /// <summary>The binary presets System.CommandLine's executable-name cache: the field must be the one the property reads.</summary>
    [Fact]
    public void The_executable_name_cache_is_the_field_the_library_reads()
    {
        var name = RootCommand.ExecutableName;
        ExecutableNameCache.Current.ShouldBe(name);
    }

    [Fact]
    public void Version_alone_prints_the_version()
    {
        var r = _cli.Run("--version");
        r.Code.ShouldBe(0, r.ToString());
        r.Out.Trim().ShouldNotBeEmpty();
    }
}

[CollectionDefinition(nameof(CommandCatalogTests), DisableParallelization = true)]
public sealed class CommandCatalogTestsCollection;
