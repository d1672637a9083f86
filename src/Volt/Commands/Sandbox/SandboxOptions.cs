using System.CommandLine;
using Volt.Sandbox;

namespace Volt.Commands.Sandbox;

/// <summary><c>--landlock --seccomp --cap-add --cap-drop --sandbox</c>: shared by run, container create, service create.</summary>
internal static class SandboxOptions
{
    public static readonly Option<string?> Landlock = new("--landlock") { Description = "Landlock profile (default, strict, unconfined) or policy FILE (JSON: fs_read, fs_write, fs_execute, net_bind, net_connect)", HelpName = "PROFILE|FILE" };
    public static readonly Option<string?> Seccomp = new("--seccomp") { Description = "seccomp profile: default, strict, unconfined or a profile FILE (Docker JSON)", HelpName = "PROFILE|FILE" };
    public static readonly Option<string[]> CapAdd = new("--cap-add") { Description = "Keep this capability (none by default; repeatable; ALL)", HelpName = "CAP" };
    public static readonly Option<string[]> CapDrop = new("--cap-drop") { Description = "Drop this capability (repeatable; ALL)", HelpName = "CAP|ALL" };
    public static readonly Option<string?> Mode = new("--sandbox") { Description = "best-effort (default: start, report what this kernel cannot enforce), strict (refuse, exit 10) or unconfined (no sandbox)", HelpName = "MODE" };

    public static IEnumerable<Option> All => [Landlock, Seccomp, CapAdd, CapDrop, Mode];

    public static void AddTo(Command c) { foreach (var o in All) c.Add(o); }

    /// <summary>The flags as a checked spec; <paramref name="get"/> reads an option (the container commands skip the command's own flags).</summary>
    public static SandboxSpec Bind(Func<Option, object?> get, string etc, Func<string, bool>? exists) =>
        SandboxSpec.Parse((string?)get(Landlock), (string?)get(Seccomp), (string[]?)get(CapAdd), (string[]?)get(CapDrop), (string?)get(Mode), etc, exists);

    public static SandboxSpec Bind(ParseResult parse, string etc, Func<string, bool>? exists) =>
        Bind(o => parse.GetResult(o) is null ? null : o switch
        {
            Option<string?> s => parse.GetValue(s),
            Option<string[]> a => parse.GetValue(a),
            _ => null,
        }, etc, exists);
}
