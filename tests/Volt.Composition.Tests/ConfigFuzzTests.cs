using System.Text.RegularExpressions;
using Shouldly;
using Volt.Composition;
using Volt.Core.Config;
using Volt.Core.Errors;
using Xunit;

namespace Volt.Composition.Tests;

/// <summary>
/// Seeded mutations of a valid config (broken YAML, huge numbers, NUL and other control characters, wrong types,
/// deep nesting): every result is a config or a <see cref="ConfigException"/> (exit 12) whose every problem has
/// the file, a line and a column inside the text. Nothing else may escape. <c>VOLT_FUZZ_SEED</c>,
/// <c>VOLT_FUZZ_ITERATIONS</c> (default 2000) widen the search.
/// </summary>
public sealed partial class ConfigFuzzTests
{
    private const string Valid = """
        output: json
        color: never
        supervisor: voltd
        cas:
          gc_grace: 1h30m
          parallelism: 3
        registry:
          listen: 0.0.0.0
          port: 5001
          anonymous_pull: false
          upload_expiry: 2d
          tls_cert: /etc/volt/tls.crt
          tls_key: /etc/volt/tls.key
        network:
          bridge: volt0
          subnet: 10.0.0.0/24
        """;

    private static readonly string[] Inserts =
    [
        "[", "]", "{", "}", ":", ": ", "- ", "\n", "\n  ", "\t", "\0", "\u0001", "\u001b", "\u007f", "\u0085", "'", "\"", "&a", "*a",
        "!!binary ", "!!int ", "? ", "|", ">", "#", "---\n", "...\n", "%YAML 1.1\n", "99999999999999999d", "1e309", "-1",
        "9223372036854775808", "~", "null", "[table", "{gc_grace: 15m", "\uFEFF", "\uD800", "ünï", new string('x', 3000),
        new string('[', 200), string.Concat(Enumerable.Repeat("- ", 200)), "<<: *a\n", "x: &a [*a]\n",
    ];

    [Fact]
    public void MutatedConfigs_AreValidOrExit12WithFileLineAndColumn()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("VOLT_FUZZ_SEED"), out var s) ? s : 20261201;
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("VOLT_FUZZ_ITERATIONS"), out var n) ? n : 2000;
        var rng = new Random(seed);
        var failures = new List<string>();
        var rejected = 0;
        for (var i = 0; i < iterations; i++)
        {
            var text = Mutate(Valid, rng);
            if (Check(text) is { } problem) failures.Add($"{problem}: {Show(text)}");
            else if (!Accepts(text)) rejected++;
        }
        failures.ShouldBeEmpty($"seed {seed}:\n" + string.Join("\n", failures.Take(20)));
        rejected.ShouldBeGreaterThan(iterations / 10, "the mutations must actually break configs");
    }

    [Theory]
    [InlineData("output: [table\n")]
    [InlineData("cas: {gc_grace: 15m\n")]
    [InlineData("cas:\n  gc_grace: 99999999999999999d\n")]
    [InlineData("output: ta\0ble\n")]
    [InlineData("registry:\n  port: 9223372036854775808\n")]
    [InlineData("output: [table, json]\n")]
    [InlineData("cas: 7\n")]
    [InlineData("output: a\noutput: b\n")]
    public void KnownBreakers_AreExit12WithPosition(string text)
    {
        Check(text).ShouldBeNull();
        Accepts(text).ShouldBeFalse();
    }

    /// <summary>Null when the rules hold for this text.</summary>
    private static string? Check(string text)
    {
        try
        {
            ConfigSections.Parse(text, "/etc/volt/config.yaml");
            return null;
        }
        catch (ConfigException e)
        {
            if (e.Code != ExitCode.InvalidConfig) return $"exit {(int)e.Code}";
            if (e.Problems.Count == 0) return "no problems listed";
            var lines = text.Split('\n').Length;
            foreach (var p in e.Problems)
            {
                if (p.File != "/etc/volt/config.yaml") return $"problem without the file: {p}";
                if (p.Line < 1 || p.Line > lines + 1 || p.Column < 1) return $"position {p.Line}:{p.Column} outside the text: {p}";
                if (!Position().IsMatch(p.ToString())) return $"not file:line:column: {p}";
            }
            return null;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static bool Accepts(string text)
    {
        try { ConfigSections.Parse(text, "/etc/volt/config.yaml"); return true; }
        catch (ConfigException) { return false; }
    }

    private static string Mutate(string text, Random rng)
    {
        var edits = rng.Next(1, 4);
        for (var i = 0; i < edits; i++)
        {
            var at = rng.Next(text.Length + 1);
            text = rng.Next(4) switch
            {
                0 => text[..at] + Inserts[rng.Next(Inserts.Length)] + text[at..],
                1 when text.Length > 0 => text.Remove(at == text.Length ? at - 1 : at, 1),
                2 => ReplaceValue(text, rng),
                _ => text[..at] + (char)rng.Next(0, 0x250) + text[at..],
            };
        }
        return text;
    }

    /// <summary>Swaps one value for a wrong type or an absurd scalar.</summary>
    private static string ReplaceValue(string text, Random rng)
    {
        var lines = text.Split('\n');
        var i = rng.Next(lines.Length);
        var colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0) return text;
        lines[i] = lines[i][..(colon + 2)] + Inserts[rng.Next(Inserts.Length)];
        return string.Join('\n', lines);
    }

    private static string Show(string text) => text.Length > 300 ? text[..300].Replace("\n", "⏎") + "…" : text.Replace("\n", "⏎");

    [GeneratedRegex(@"^invalid config /etc/volt/config\.yaml:\d+:\d+: \S")]
    private static partial Regex Position();
}
