using System.CommandLine;

namespace Volt.Cli;

/// <summary>
/// Base of every leaf command: parse → engine → render. The base resolves the context, runs the command,
/// turns any failure into <c>Error: …</c> and its exit code (one handler), and appends the audit line for
/// state-changing commands.
/// </summary>
internal abstract class VoltCommand : Command
{
    protected VoltCommand(string name, string description) : base(name, description)
    {
        SetAction((parse, ct) => CommandRunner.RunAsync(this, parse, ct));
    }

    /// <summary>Shown under "Examples:" in <c>--help</c>.</summary>
    public string[] Examples { get; init; } = [];

    /// <summary>The audit action (<c>cas.build</c>) for commands that change state; null for read-only ones.</summary>
    public virtual string? AuditAction => null;

    /// <summary>Who may run it (docs/security.md): by default from <see cref="AuditAction"/>, read-only commands are anyone's.</summary>
    public virtual Core.Security.AccessLevel RequiredAccess => Core.Security.AccessRules.ForAction(AuditAction);

    /// <summary>
    /// The command does its privileged work through voltd (which checks the caller itself), so a non-root member of
    /// the admitting group may run it; other state-changing commands act on the host directly and need root.
    /// </summary>
    public virtual bool ThroughVoltd => false;

    public abstract Task<int> ExecuteAsync(VoltContext ctx, ParseResult parse, CancellationToken ct);
}

/// <summary>A command that only groups subcommands (<c>volt cas</c>); running it alone is a usage error.</summary>
internal class GroupCommand : Command
{
    public GroupCommand(string name, string description, params Command[] children) : base(name, description)
    {
        foreach (var c in children) Add(c);
    }

    /// <summary>
    /// A group whose children are built from their factories: all of them, or only the one named
    /// <paramref name="only"/> when it names one (the subcommand a run invokes: its siblings' options and statics
    /// were a share of its start). Any other word (help, an alias, a typo) gets every child, so help and suggestions
    /// see the whole group. Each child must be named as declared (checked as it is built, and by CommandCatalogTests).
    /// </summary>
    public GroupCommand(string name, string description, string? only, params (string Name, Func<Command> Build)[] children) : base(name, description)
    {
        var one = only is null ? -1 : Array.FindIndex(children, c => c.Name == only);
        foreach (var (childName, build) in one >= 0 ? [children[one]] : children)
        {
            var c = build();
            if (c.Name != childName) throw new InvalidOperationException($"{name}: the child declared as \"{childName}\" is named \"{c.Name}\"");
            Add(c);
        }
    }

    public string[] Examples { get; init; } = [];
}
