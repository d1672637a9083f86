using System.CommandLine;
using Volt.Core.Errors;

namespace Volt.Cli;

/// <summary>Runs one <see cref="VoltCommand"/> with the single error handler and the audit trail.</summary>
internal static class CommandRunner
{
    /// <summary>Set by <see cref="VoltApp"/> for the current invocation.</summary>
    internal static readonly AsyncLocal<VoltApp?> CurrentApp = new();
    internal static VoltApp? Current => CurrentApp.Value;

    public static async Task<int> RunAsync(VoltCommand command, ParseResult parse, CancellationToken ct)
    {
        var app = Current ?? throw new InvalidOperationException("VoltApp not running");
        VoltContext? ctx = null;
        Exception? failure = null;
        var handOff = Core.Audit.AuditHandOff.Begin();
        var code = 0;
        try
        {
            ctx = VoltContext.Create(parse, app.Console, app.Env, app.Time);
            Permit(command, ctx.Paths);
            code = await command.ExecuteAsync(ctx, parse, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            code = ErrorReporter.Report(app.Console, parse, app.Env, e, ct);
        }
        // voltd recorded the act with the caller it saw; the CLI adds its own line only for what voltd does not know
        // (the sandbox report of a start: requested, enforced, dropped).
        if (command.AuditAction is { } action && ctx is not null && (!handOff.Value || ctx.AuditDetail.Count > 0))
            WriteAudit(ctx, parse, action, code == 0, failure);
        return code;
    }

    /// <summary>
    /// The access table (docs/security.md) before anything is touched: root may do anything; others what their groups
    /// admit, and only through voltd, which checks again with the credentials it sees on its socket.
    /// </summary>
    private static void Permit(VoltCommand command, Core.Paths.VoltPaths paths)
    {
        var level = command.RequiredAccess;
        if (level == Core.Security.AccessLevel.AnyUser || Core.IO.Posix.IsRoot || OwnRoot(paths)) return;
        var caller = Core.Security.Caller.Current();
        Core.Security.AccessRules.Demand(caller, level);
        if (!command.ThroughVoltd)
            throw new VoltException(ExitCode.Permission,
                $"permission denied: \"volt {CommandPath(command)}\" changes the host directly and needs root; group {Core.Security.AccessRules.VoltGroup} members may run containers through voltd (run -d, start, stop, restart)");
    }

    /// <summary>
    /// A private root the caller owns (<c>VOLT_ROOT=/tmp/v</c>, README "no root needed") is the caller's own store: the
    /// table is for the host's Volt, and for roots someone else owns; file permissions decide the rest.
    /// </summary>
    private static bool OwnRoot(Core.Paths.VoltPaths paths) =>
        paths.IsRelocated && Core.IO.FileStat.TryLStat(paths.Root, out var st) && st.Uid == Core.IO.Posix.EffectiveUid;

    private static string CommandPath(System.CommandLine.Command command)
    {
        var names = new List<string>();
        for (System.CommandLine.Symbol? s = command; s is System.CommandLine.Command c && c.Parents.Any(); s = c.Parents.FirstOrDefault())
            names.Insert(0, ((System.CommandLine.Command)s).Name);
        return string.Join(' ', names);
    }

    private static void WriteAudit(VoltContext ctx, ParseResult parse, string action, bool success, Exception? failure)
    {
        var resource = ctx.AuditResource ?? FirstArgument(parse) ?? "";
        try
        {
            foreach (var done in ctx.AuditActed) ctx.Audit.Append(action, done, true, null, ctx.AuditDetail.GetValueOrDefault(done));
            if (ctx.AuditActed.Count == 0 || !success)
                ctx.Audit.Append(action, resource, success, failure is null ? (success ? null : "exit code non-zero") : ErrorReporter.Message(failure), ctx.AuditDetail.GetValueOrDefault(resource));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ctx.Out.Warn($"could not write audit log \"{ctx.Paths.AuditLog}\": {e.Message}");
        }
    }

    private static string? FirstArgument(ParseResult parse)
    {
        foreach (var arg in parse.CommandResult.Command.Arguments)
        {
            var value = parse.GetResult(arg)?.Tokens.FirstOrDefault()?.Value;
            if (value is not null) return value;
        }
        return null;
    }
}

/// <summary>
/// The one place errors become stderr text and exit codes. Every error is one line per problem,
/// <c>Error: …</c>, with control characters in echoed values escaped (<see cref="CliValues.Escape"/>).
/// </summary>
internal static class ErrorReporter
{
    public static int Report(Rendering.IVoltConsole console, ParseResult parse, VoltEnvironment env, Exception e, CancellationToken ct)
    {
        var (debug, palette) = VoltContext.Early(parse, console, env);
        var code = e switch
        {
            VoltException v => v.Code,
            OperationCanceledException when ct.IsCancellationRequested => ExitCode.Interrupted,
            UnauthorizedAccessException => ExitCode.Permission,
            _ => ExitCode.General,
        };
        foreach (var line in Lines(e)) console.Error.WriteLine(palette.Error("Error: ") + line);
        if (debug) console.Error.WriteLine(e.ToString());
        else if (code == ExitCode.General && e is not VoltException)
            console.Error.WriteLine("(run with --debug for a stack trace)");
        return (int)code;
    }

    /// <summary>The error as one line, for the audit log.</summary>
    public static string Message(Exception e) => CliValues.Escape(e switch
    {
        OperationCanceledException => "interrupted",
        UnauthorizedAccessException => $"permission denied: {e.Message}",
        _ => e.Message,
    });

    /// <summary>
    /// One line per problem: a config file with three errors prints three lines; a change whose undo failed prints the
    /// error, then one line per failed undo (<see cref="Core.IO.RevertReport"/>: what is left on the host).
    /// </summary>
    private static IEnumerable<string> Lines(Exception e) =>
        (e is Core.Config.ConfigException { Problems.Count: > 1 } c ? c.Problems.Select(p => CliValues.Escape(p.ToString())) : [Message(e)])
            .Concat(Core.IO.RevertReport.Of(e)?.Lines.Select(CliValues.Escape) ?? []);
}
