using System.CommandLine;
using Shouldly;
using Volt.Cli;
using Volt.Images.Oci;
using Volt.Rendering;
using Xunit;

namespace Volt.Tests.Cli;

/// <summary>
/// Every option and argument of every command, walked from the real command tree, given absurd values: the CLI
/// must answer with an exit code of the seed's table and, on failure, plain <c>Error: …</c> lines (one per
/// problem; no raw .NET exception, no stack trace). Seeded (<c>VOLT_FUZZ_SEED</c>) and bounded: every
/// option and argument twice, then <c>VOLT_FUZZ_ITERATIONS</c> random combinations (default 100).
/// Each run gets an empty VOLT_ROOT, so nothing the fuzzer creates is seen by a later run.
/// </summary>
public sealed class CliFuzzTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Commands that start servers, containers or host networking, or wait on a terminal: never fuzzed.</summary>
    private static readonly HashSet<string> Excluded =
    [
        "volt registry serve", "volt gitops serve", "volt ingress serve", "volt dns serve", "volt daemon", "volt run",
        "volt container create", "volt net create", "volt net delete",
        "volt mesh agent", "volt mesh init",
        "volt compose up", "volt compose logs", "volt compose run",
        // They write the real host's sysfs (hugepages, I/O schedulers) whatever --root says.
        "volt tune memory hugepages", "volt tune io scheduler", "volt tune reset",
    ];

    /// <summary>Global options not fuzzed: <c>--root ../x</c> would write under the test's working directory.</summary>
    private static readonly HashSet<string> NotFuzzed = ["--root", "--help", "-h", "-?", "--version"];

    internal static readonly string[] Absurd =
    [
        "", " ", "NaN", "-1", "0", "99999999999d", "9223372036854775808", "-9223372036854775809", "1e309", "Infinity",
        new string('x', 5000), "a\nb", "a\r\nb", "\t\u0001\u001b[31m\u007f", "ünïcødé-名前-🚀", "\u202eevil", "../x", "../../etc/passwd",
        "--x", "-x", "a:b:c", "@", "x/y/z:tag@sha256:00", "0.0.0.0:99999", "/nonexistent/../../x",
    ];

    [Fact]
    public void EveryOptionWithAbsurdValues_ExitsWithASeedCodeAndOneLinePerError()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("VOLT_FUZZ_SEED"), out var s) ? s : 20261201;
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("VOLT_FUZZ_ITERATIONS"), out var n) ? n : 100;
        var rng = new Random(seed);
        var commands = Leaves(new VoltApp(new TestConsole(), VoltEnvironment.From(_cli.Env), TimeProvider.System).Root).ToList();
        commands.Count.ShouldBeGreaterThan(30);
        var failures = new List<string>();
        var runs = 0;

        // Every own option and argument of every command, each with two values: one of the classic breakers and one
        // drawn at random; the global options on one command (one handler serves them all). Then random combinations.
        // VOLT_FUZZ_ITERATIONS=20000 (or a new VOLT_FUZZ_SEED) searches further.
        string[] classic = ["", "NaN", "99999999999d", "a\nb", new string('x', 5000), "-1"];
        foreach (var (path, cmd) in commands)
            foreach (var target in Targets(cmd).Where(t => path == "volt cas status" || !GlobalOptions.All.Contains(t)))
            {
                Try(Invocation(path, cmd, [(target, classic[rng.Next(classic.Length)])]));
                if (target is not Option { ValueType: var t } || t != typeof(bool)) Try(Invocation(path, cmd, [(target, Absurd[rng.Next(Absurd.Length)])]));
            }
        for (var i = 0; i < iterations; i++)
        {
            var (path, cmd) = commands[rng.Next(commands.Count)];
            var targets = Targets(cmd).ToList();
            if (targets.Count == 0) continue;
            var picks = Enumerable.Range(0, rng.Next(1, 4))
                .Select(_ => (targets[rng.Next(targets.Count)], Mutate(Absurd[rng.Next(Absurd.Length)], rng))).ToList();
            Try(Invocation(path, cmd, picks));
        }

        failures.ShouldBeEmpty($"seed {seed}: {failures.Count} of {runs} runs broke the rules:\n" + string.Join("\n", failures.Take(25)));
        runs.ShouldBeGreaterThan(200);

        void Try(string[]? args)
        {
            if (args is null) return;
            runs++;
            var root = _cli.Dir.Combine($"r{runs}");
            _cli.Env["VOLT_ROOT"] = root;
            CliResult r;
            if (Environment.GetEnvironmentVariable("VOLT_FUZZ_TRACE") is { Length: > 0 } trace) File.AppendAllText(trace, Show(args) + "\n", new System.Text.UTF8Encoding(false));
            try
            {
                if (_cli.RunWithin(TimeSpan.FromSeconds(60), args) is not { } done)
                {
                    failures.Add($"{Show(args)}: still running after 60 s (a server or a wait: add it to Excluded, or make it fail fast)");
                    return;
                }
                r = done;
            }
            catch (Exception e) { failures.Add($"{Show(args)}: unhandled {e.GetType().Name}: {e.Message}"); return; }
            finally { try { Directory.Delete(root, recursive: true); } catch (DirectoryNotFoundException) { } }
            if (Problem(r, debug: args.Contains("--debug")) is { } p) failures.Add($"{Show(args)}: {p} | exit {r.Code} | {r.Err.Trim().Replace("\n", " ⏎ ")[..Math.Min(400, r.Err.Trim().Length)]}");
        }
    }

    /// <summary>What is wrong with one result, or null.</summary>
    internal static string? Problem(CliResult r, bool debug = false)
    {
        if (r.Code is < 0 or > 13) return "exit code outside 0-13";
        if (debug) return null; // --debug adds the stack trace on purpose
        if (r.Err.Contains("   at ", StringComparison.Ordinal)) return "stack trace without --debug";
        if (r.Err.Contains("(run with --debug", StringComparison.Ordinal)) return "raw .NET exception";
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
            if (!line.StartsWith("Error: ", StringComparison.Ordinal) && !line.StartsWith("Warning: ", StringComparison.Ordinal)
                && !(line.StartsWith("Run 'volt", StringComparison.Ordinal) && line.EndsWith("--help' for usage.", StringComparison.Ordinal)))
                return "stderr line that is not one Error:/Warning: line";
        if (r.Code != 0 && !lines.Any(l => l.StartsWith("Error: ", StringComparison.Ordinal))) return "failed without an Error: line";
        return null;
    }

    private static string Show(string[] args) => string.Join(' ', args.Select(a => CliValues.Escape(a.Length > 40 ? a[..40] + $"…({a.Length})" : a)).Select(a => a.Contains(' ') || a.Length == 0 ? $"'{a}'" : a));

    private static string Mutate(string value, Random rng) => rng.Next(4) switch
    {
        0 => value + Absurd[rng.Next(Absurd.Length)],
        1 when value.Length > 1 => Cut(value, rng.Next(value.Length)),
        _ => value,
    };

    private static string Cut(string v, int n) => n > 0 && char.IsHighSurrogate(v[n - 1]) ? v[..(n - 1)] : v[..n];

    private static IEnumerable<(string Path, Command Cmd)> Leaves(Command c, string path = "volt")
    {
        foreach (var sub in c.Subcommands)
        {
            var full = $"{path} {sub.Name}";
            if (Excluded.Contains(full)) continue;
            if (sub is VoltCommand) yield return (full, sub);
            foreach (var leaf in Leaves(sub, full)) yield return leaf;
        }
    }

    /// <summary>Every option the command accepts (its own and the recursive global ones) and every argument.</summary>
    private static IEnumerable<Symbol> Targets(Command cmd) =>
        cmd.Options.Concat(GlobalOptions.All).Where(o => !NotFuzzed.Contains(o.Name)).Cast<Symbol>().Concat(cmd.Arguments);

    /// <summary>The command line: required arguments and options get harmless values, the targets get the absurd ones.</summary>
    private static string[]? Invocation(string path, Command cmd, List<(Symbol Target, string Value)> picks)
    {
        var args = new List<string>(path.Split(' ').Skip(1));
        foreach (var a in cmd.Arguments)
        {
            var fuzzed = picks.Where(p => p.Target == a).Select(p => p.Value).ToList();
            if (fuzzed.Count > 0) args.AddRange(fuzzed.Take(1));
            else if (a.Arity.MinimumNumberOfValues > 0) args.Add(Harmless(path, a.Name));
        }
        foreach (var o in cmd.Options.Where(o => o.Required && picks.All(p => p.Target != o))) args.AddRange([o.Name, Harmless(path, o.Name)]);
        foreach (var (target, value) in picks)
            if (target is Option o) args.AddRange(o.ValueType == typeof(bool) ? [o.Name] : [o.Name, value]);
        return ReachesTheNetwork(path, args) ? null : [.. args];
    }

    private static string Harmless(string command, string name) => name switch
    {
        "--name" or "NAME" or "name" => "fuzz",
        "--repo" => "/nonexistent/volt-fuzz.git",
        "--provider" => "github",
        "--workload" => "fuzz",
        "ref" when command.StartsWith("volt image p", StringComparison.Ordinal) => "127.0.0.1:1/fuzz:1",
        "digest" => "blake3:" + new string('0', 64),
        "shell" => "bash",
        _ => "/nonexistent/volt-fuzz",
    };

    /// <summary>Pulls and pushes only ever dial loopback (port 1: refused at once); any other registry is skipped.</summary>
    private static bool ReachesTheNetwork(string path, List<string> args)
    {
        if (path is not ("volt image pull" or "volt image push")) return false;
        foreach (var a in args.Skip(2))
        {
            if (a.StartsWith('-')) continue;
            ImageReference r;
            try { r = ImageReference.Parse(a); }
            catch (Core.Errors.VoltException) { continue; }
            if (!r.ForPull().IsLoopback) return true;
        }
        return false;
    }
}
