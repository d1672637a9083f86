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

    public string[] Examples { get; init; } = [];
}
