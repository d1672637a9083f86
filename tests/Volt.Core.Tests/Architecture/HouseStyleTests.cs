using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Volt.Core.Tests.Architecture;

/// <summary>
/// The house style in code (docs/architecture.md, "House style in code"), checked over src/: logging through
/// <c>[LoggerMessage]</c> with event ids in the project's range, P/Invokes only in Volt.Core/Native, processes started
/// only by Volt.Core/Processes.
/// </summary>
public sealed partial class HouseStyleTests
{
    /// <summary>Event id range of each project (docs/logging.md): the first id; the range is 1000 wide.</summary>
    private static readonly Dictionary<string, int> EventIdRanges = new(StringComparer.Ordinal)
    {
        ["Volt.Core"] = 1000, ["Volt.Storage"] = 2000, ["Volt.Images"] = 3000, ["Volt.Network"] = 4000,
        ["Volt.Workloads"] = 5000, ["Volt.Daemon"] = 6000, ["Volt.Registry"] = 7000, ["Volt.GitOps"] = 8000,
        ["Volt.Hosting"] = 9000, ["Volt"] = 10000, ["Volt.Composition"] = 11000, ["Volt.Units"] = 12000, ["Volt.Sandbox"] = 16000,
        ["Volt.Dns"] = 13000, ["Volt.Vms"] = 14000, ["Volt.Ingress"] = 15000, ["Volt.Mesh"] = 17000,
    };

    [Fact]
    public void NoStringLogCalls_OnlyLoggerMessageMethods()
    {
        var offenders = Lines(StringLogCall()).ToList();
        offenders.ShouldBeEmpty("log through a [LoggerMessage] method with an event id, not ILogger.LogX(\"…\")");
    }

    [Fact]
    public void EveryLoggerMessageHasAnEventIdInItsProjectsRange_AndNoIdIsUsedTwice()
    {
        var problems = new List<string>();
        var seen = new Dictionary<int, string>();
        foreach (var (file, line, text) in Lines(LoggerMessageAttribute()))
        {
            var project = file.Split('/')[0];
            var id = EventId().Match(text);
            if (!id.Success) { problems.Add($"{file}:{line}: [LoggerMessage] without EventId = <number>"); continue; }
            var n = int.Parse(id.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (!EventIdRanges.TryGetValue(project, out var first))
                problems.Add($"{file}:{line}: project {project} has no event id range (add it to docs/logging.md and this test)");
            else if (n < first || n >= first + 1000)
                problems.Add($"{file}:{line}: event id {n} is outside {project}'s range {first}-{first + 999}");
            if (!seen.TryAdd(n, $"{file}:{line}")) problems.Add($"{file}:{line}: event id {n} is also used at {seen[n]}");
        }
        problems.ShouldBeEmpty();
    }

    [Fact]
    public void PInvokesAreDeclaredOnlyInVoltCoreNative()
    {
        Lines(PInvoke()).Where(l => !l.File.StartsWith("Volt.Core/Native/", StringComparison.Ordinal)).ToList()
            .ShouldBeEmpty("declare libc calls in src/Volt.Core/Native/LibC.*.cs");
    }

    [Fact]
    public void ProcessesAreStartedOnlyByVoltCoreProcesses()
    {
        Lines(RawProcessStart()).Where(l => !l.File.StartsWith("Volt.Core/Processes/", StringComparison.Ordinal)).ToList()
            .ShouldBeEmpty("start processes with ProcessLauncher (long-running) or IProcessRunner (buffered)");
    }

    [Fact]
    public void TheScansSeeTheSourceTree()
    {
        // Guards the guards: an empty or wrong tree would make every check above pass.
        Lines(LoggerMessageAttribute()).Count().ShouldBeGreaterThan(10);
        Lines(PInvoke()).Count().ShouldBeGreaterThan(20);
        Lines(RawProcessStart()).ShouldNotBeEmpty();
    }

    /// <summary>(file relative to src/, line number, text) of every line matching in src/**/*.cs outside bin/ and obj/.</summary>
    private static IEnumerable<(string File, int Line, string Text)> Lines(Regex pattern)
    {
        var src = Path.Combine(RepoRoot(), "src");
        foreach (var path in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(src, path).Replace('\\', '/');
            if (rel.Contains("/obj/", StringComparison.Ordinal) || rel.Contains("/bin/", StringComparison.Ordinal)) continue;
            var n = 0;
            foreach (var text in File.ReadLines(path))
            {
                n++;
                if (text.TrimStart().StartsWith("///", StringComparison.Ordinal)) continue; // doc comments may name them
                if (pattern.IsMatch(text)) yield return (rel, n, text.Trim());
            }
        }
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Volt.slnx"))) return d.FullName;
        throw new InvalidOperationException("Volt.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\.Log(Information|Warning|Error|Debug|Trace|Critical)\(")]
    private static partial Regex StringLogCall();

    [GeneratedRegex(@"\[LoggerMessage\(")]
    private static partial Regex LoggerMessageAttribute();

    [GeneratedRegex(@"\bEventId\s*=\s*(\d+)")]
    private static partial Regex EventId();

    [GeneratedRegex(@"\[(LibraryImport|DllImport)\(")]
    private static partial Regex PInvoke();

    [GeneratedRegex(@"\bProcess\.Start\(|new Process\(|new ProcessStartInfo\b|new\(\)\s*\{\s*StartInfo")]
    private static partial Regex RawProcessStart();
}
