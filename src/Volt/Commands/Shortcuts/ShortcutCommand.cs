using System.CommandLine;
using Volt.Cli;

namespace Volt.Commands.Shortcuts;

/// <summary>
/// A top-level podman name for an existing command (<c>volt exec</c> = <c>volt container exec</c>): the same arguments,
/// options, handler and audit action, one instance of the same command class; only the name and the help examples'
/// prefix differ.
/// </summary>
internal sealed class ShortcutCommand : VoltCommand, ITrailingCommand
{
    private readonly VoltCommand _target;

    /// <param name="name">The top-level name.</param>
    /// <param name="target">A fresh instance of the command it stands for (never added to the tree itself).</param>
    /// <param name="longForms">How the target is spelled in its examples (<c>container exec</c>), rewritten to <paramref name="name"/>.</param>
    public ShortcutCommand(string name, VoltCommand target, params string[] longForms)
        : base(name, $"{target.Description} (= volt {longForms[0]})")
    {
        _target = target;
        foreach (var a in target.Arguments) Add(a);
        foreach (var o in target.Options) Add(o);
        TreatUnmatchedTokensAsErrors = target.TreatUnmatchedTokensAsErrors;
        Examples = [.. target.Examples.Select(e => Rewrite(e, name, longForms))];
        LongForm = longForms[0];
    }

    /// <summary>The command this one stands for, without <c>volt</c> (<c>container exec</c>).</summary>
    public string LongForm { get; }

    /// <summary>The target's rule for a trailing command (<c>exec NAME CMD…</c>, <c>create IMAGE CMD…</c>); -1: none.</summary>
    public int PositionalsBeforeCommand => _target is ITrailingCommand t ? t.PositionalsBeforeCommand : -1;

    public override string? AuditAction => _target.AuditAction;

    public override Core.Security.AccessLevel RequiredAccess => _target.RequiredAccess;

    public override bool ThroughVoltd => _target.ThroughVoltd;

    public override Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct) => _target.ExecuteAsync(ctx, parse, ct);

    private static string Rewrite(string example, string name, string[] longForms)
    {
        foreach (var l in longForms)
        {
            if (example == "volt " + l) return "volt " + name;
            example = example.Replace("volt " + l + " ", "volt " + name + " ", StringComparison.Ordinal);
        }
        return example;
    }

    /// <summary>podman's top-level names, in help order (after the nouns), each built only when invoked.</summary>
    internal static IEnumerable<CommandCatalog.Entry> Entries =>
    [
        new("create", () => new ShortcutCommand("create", new Container.ContainerCreateCommand(), "container create")),
        new("start", () => new ShortcutCommand("start", new Container.ContainerStartCommand(), "container start")),
        new("stop", () => new ShortcutCommand("stop", new Container.ContainerStopCommand(), "container stop")),
        new("restart", () => new ShortcutCommand("restart", new Container.ContainerRestartCommand(), "container restart")),
        new("rm", () => new ShortcutCommand("rm", new Container.ContainerDeleteCommand(), "container delete", "container rm")),
        new("exec", () => new ShortcutCommand("exec", new Container.ContainerExecCommand(), "container exec")),
        new("pull", () => new ShortcutCommand("pull", new Image.ImagePullCommand(), "image pull")),
        new("push", () => new ShortcutCommand("push", new Image.ImagePushCommand(), "image push")),
        new("images", () => new ShortcutCommand("images", new Image.ImageListCommand(), "image list", "image ls")),
        new("rmi", () => new ShortcutCommand("rmi", new Image.ImageRmCommand(), "image rm")),
        new("inspect", () => new InspectCommand()),
        new("stats", () => new Views.TopCommand(once: true)),
    ];
}
