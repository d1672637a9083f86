using System.CommandLine;

namespace Volt.Cli;

/// <summary>
/// A command whose last argument is another program's command line (<c>run IMAGE CMD…</c>, <c>exec NAME CMD…</c>):
/// Volt's options end where that command starts, so its own <c>-e</c>, <c>-p</c>, <c>-o</c>, <c>--help</c> are never
/// read as Volt's, even when the same option also appears before IMAGE.
/// </summary>
internal interface ITrailingCommand
{
    /// <summary>Positional arguments that come before the command (IMAGE for run/create, NAME for exec).</summary>
    int PositionalsBeforeCommand { get; }
}

/// <summary>The pre-split <see cref="VoltApp"/> applies to <see cref="ITrailingCommand"/>s before System.CommandLine parses.</summary>
internal static class TrailingCommand
{
    /// <summary>
    /// <paramref name="args"/> with <c>--</c> inserted where the trailing command starts: the first plain word after the
    /// leading positionals that is not a Volt option's value. Null when nothing is to change (no command, or an explicit
    /// <c>--</c> already starts it).
    /// </summary>
    public static string[]? Split(string[] args, Command command, int positionals)
    {
        var start = LeafIndex(args, command);
        if (start < 0) return null;
        var options = command.Options.Concat(GlobalOptions.All).ToList();
        var seen = 0;
        for (var i = start + 1; i < args.Length; i++)
        {
            var a = args[i];
            if (a == "--") return null;
            if (a.Length > 1 && a[0] == '-')
            {
                if (TakesValue(options, a, i + 1 < args.Length ? args[i + 1] : null)) i++;
                continue;
            }
            if (++seen <= positionals) continue;
            return [.. args[..i], "--", .. args[i..]];
        }
        return null;
    }

    /// <summary>Where the leaf command's own name (or alias) is in <paramref name="args"/>, after its parents' names.</summary>
    private static int LeafIndex(string[] args, Command leaf)
    {
        var path = new List<Command>();
        for (Symbol? s = leaf; s is Command c && c is not RootCommand; s = c.Parents.FirstOrDefault()) path.Insert(0, c);
        var i = -1;
        foreach (var c in path)
        {
            do i++;
            while (i < args.Length && args[i] != c.Name && !c.Aliases.Contains(args[i]));
            if (i >= args.Length) return -1;
        }
        return i;
    }

    private static bool TakesValue(List<Option> options, string token, string? next)
    {
        if (token.Contains('=') || token.Contains(':')) return false;
        var option = options.FirstOrDefault(o => o.Name == token || o.Aliases.Contains(token));
        if (option is null || option.Arity.MaximumNumberOfValues == 0) return false;
        return option.ValueType != typeof(bool) || next is "true" or "false";
    }
}

/// <summary>
/// A command that handles SIGINT/SIGTERM itself (forwarding them to a payload): System.CommandLine's termination
/// handling (cancel, then force an exit code after a timeout) is off for it.
/// </summary>
internal interface ISignalForwarding;

/// <summary>
/// A long-running server (voltd, the registry, GitOps, ingress, DNS, the mesh agent): SIGTERM and SIGINT cancel its
/// token and it stops gracefully for as long as that takes (stopping workloads, draining requests). System.CommandLine's
/// forced exit 2 s after the signal (exit 143, the rest of the shutdown cut off) is off for it; see <see cref="ServerSignalScope"/>.
/// </summary>
internal interface IServerCommand;
