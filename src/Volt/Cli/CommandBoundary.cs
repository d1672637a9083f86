using System.CommandLine;

namespace Volt.Cli;

/// <summary>
/// podman's rule for <c>exec</c>: options end at the first plain argument (the container). The parser reads options
/// anywhere, so for a <see cref="VoltCommand.VerbatimAfterFirstArgument"/> command a <c>--</c> is put right after that
/// argument before parsing (unless the user already wrote one there).
/// </summary>
internal static class CommandBoundary
{
    /// <returns>The arguments with <c>--</c> inserted, or null when nothing needs changing.</returns>
    public static string[]? Insert(IReadOnlyList<string> args, VoltCommand command)
    {
        var start = -1;
        for (var i = 0; i < args.Count; i++)
            if (args[i] == command.Name || command.Aliases.Contains(args[i])) { start = i; break; }
        if (start < 0) return null;
        for (var i = start + 1; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--") return null;
            if (a.StartsWith('-') && a.Length > 1)
            {
                if (!a.Contains('=') && TakesValue(command, a)) i++;
                continue;
            }
            if (i + 1 < args.Count && args[i + 1] == "--") return null;
            return [.. args.Take(i + 1), "--", .. args.Skip(i + 1)];
        }
        return null;
    }

    private static bool TakesValue(Command command, string token) =>
        command.Options.Concat(GlobalOptions.All).FirstOrDefault(o => o.Name == token || o.Aliases.Contains(token)) is { } o
        && o.ValueType != typeof(bool);
}
