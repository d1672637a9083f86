using System.Globalization;
using Volt.Core.Errors;
using Volt.Core.IO;

namespace Volt.Vms.Machines;

/// <summary>One setting of a tuning profile: its line in the file and what it asks.</summary>
/// <param name="Setting"><c>hugepages</c>, <c>io-scheduler</c>, <c>cpu-pin</c> or <c>numa</c>.</param>
public sealed record TuneStep(int Line, string Setting, IReadOnlyList<string> Args)
{
    public override string ToString() => Setting + " " + string.Join(' ', Args);
}

/// <summary>A tuning profile: <c>/etc/volt/profiles/NAME.tune</c>, its settings in file order.</summary>
public sealed record TuneProfile(string Name, string File, IReadOnlyList<TuneStep> Steps);

/// <summary>
/// Tuning profiles in <c>/etc/volt/profiles/</c>: a named set of <c>volt tune</c> settings, one per line
/// (<c>#</c> comments, blank lines ignored):
/// <code>
/// hugepages 2M 512              # volt tune memory hugepages --size 2M --count 512
/// io-scheduler sda mq-deadline  # volt tune io scheduler sda mq-deadline
/// cpu-pin web 2-3               # volt tune cpu pin web 2-3
/// numa db 0                     # volt tune numa db 0
/// </code>
/// <c>apply</c> checks every line first (a bad line: exit 12 naming FILE:LINE; a VM that is not there: exit 3), then
/// applies them in order through <see cref="Tuner"/> — each host change journaled with its value before Volt, so
/// <c>volt tune reset</c> undoes a profile like any single change; a step that fails undoes the steps before it
/// (<see cref="Reverter"/>): a profile is applied whole or not at all.
/// </summary>
public sealed class TuneProfiles(Tuner tuner, VmStore store)
{
    public const string Extension = ".tune";

    public string Dir => Path.Combine(store.Paths.Etc, "profiles");

    public IReadOnlyList<TuneProfile> List() => !Directory.Exists(Dir) ? []
        : [.. Directory.EnumerateFiles(Dir, "*" + Extension).Order(StringComparer.Ordinal).Select(f => Load(Path.GetFileNameWithoutExtension(f)))];

    /// <summary>The profile; exit 3 naming the profiles there are, exit 12 for a line that is not a setting.</summary>
    public TuneProfile Load(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.') || name.Length > 64)
            throw VoltException.Usage($"invalid tuning profile name \"{name}\"");
        var file = Path.Combine(Dir, name + Extension);
        if (!File.Exists(file))
        {
            var have = Directory.Exists(Dir) ? Directory.EnumerateFiles(Dir, "*" + Extension).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList() : [];
            throw VoltException.NotFound($"tuning profile \"{name}\" not found in {Dir} (profiles: {(have.Count == 0 ? "none" : string.Join(", ", have))})");
        }
        var steps = new List<TuneStep>();
        var n = 0;
        foreach (var raw in File.ReadAllLines(file))
        {
            n++;
            var text = raw.Split('#', 2)[0].Trim();
            if (text.Length == 0) continue;
            var words = text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            var step = new TuneStep(n, words[0], words[1..]);
            Check(file, step);
            steps.Add(step);
        }
        return new TuneProfile(name, file, steps);
    }

    private void Check(string file, TuneStep s)
    {
        string? problem = s.Setting switch
        {
            "hugepages" when s.Args.Count != 2 => "expected: hugepages 2M|1G COUNT",
            "hugepages" when s.Args[0].ToUpperInvariant() is not ("2M" or "1G") => $"page size \"{s.Args[0]}\": expected 2M or 1G",
            "hugepages" when !long.TryParse(s.Args[1], NumberStyles.None, CultureInfo.InvariantCulture, out _) => $"count \"{s.Args[1]}\": expected a number",
            "io-scheduler" when s.Args.Count != 2 => "expected: io-scheduler DEVICE none|mq-deadline|bfq|kyber",
            "io-scheduler" when !Tuner.Schedulers.Contains(s.Args[1]) => $"scheduler \"{s.Args[1]}\": expected none, mq-deadline, bfq or kyber",
            "cpu-pin" when s.Args.Count != 2 => "expected: cpu-pin VM CPU-LIST",
            "numa" when s.Args.Count != 2 => "expected: numa VM NODE",
            "numa" when !int.TryParse(s.Args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var node) || node > 1023 => $"NUMA node \"{s.Args[1]}\": expected 0-1023",
            "hugepages" or "io-scheduler" or "cpu-pin" or "numa" => null,
            _ => $"unknown setting \"{s.Setting}\" (hugepages, io-scheduler, cpu-pin, numa)",
        };
        if (problem is null && s.Setting == "cpu-pin")
        {
            try { tuner.ParseCpuList(s.Args[1]); }
            catch (VoltException e) { problem = e.Message; }
        }
        if (problem is not null) throw new VoltException(ExitCode.InvalidConfig, $"{file}:{s.Line}: {problem}");
    }

    /// <summary>Applies every setting of the profile (all or none); one line per setting says what it did.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(string name, CancellationToken ct = default)
    {
        var profile = Load(name);
        foreach (var s in profile.Steps.Where(s => s.Setting is "cpu-pin" or "numa"))
            if (!store.Exists(s.Args[0])) throw VoltException.NotFound($"{profile.File}:{s.Line}: VM \"{s.Args[0]}\" not found");
        var done = new List<string>();
        await using var rev = new Reverter();
        try
        {
            foreach (var s in profile.Steps)
            {
                try { await ApplyStepAsync(s, done, rev, ct).ConfigureAwait(false); }
                catch (VoltException e) { throw new VoltException(e.Code, $"{profile.File}:{s.Line}: {s}: {e.Message}", e); }
            }
            tuner.MarkProfile(name);
            rev.Commit();
        }
        catch (Exception e)
        {
            await rev.RevertAsync(e).ConfigureAwait(false);
            throw;
        }
        return done;
    }

    private async Task ApplyStepAsync(TuneStep s, List<string> done, Reverter rev, CancellationToken ct)
    {
        switch (s.Setting)
        {
            case "hugepages" or "io-scheduler":
                var key = s.Setting == "hugepages" ? $"hugepages-{s.Args[0].ToUpperInvariant()}" : $"io:{(s.Args[0].StartsWith("/dev/", StringComparison.Ordinal) ? s.Args[0][5..] : s.Args[0])}";
                var prior = tuner.Journal().Entries.FirstOrDefault(e => e.Key == key);
                done.Add(s.Setting == "hugepages"
                    ? tuner.Hugepages(s.Args[0], long.Parse(s.Args[1], CultureInfo.InvariantCulture))
                    : tuner.IoScheduler(s.Args[0], s.Args[1]));
                rev.Add($"undo {s}", () => tuner.UndoHost(key, prior));
                break;
            default:
                var vm = s.Args[0];
                var before = store.Config(vm);
                done.Add(s.Setting == "cpu-pin"
                    ? await tuner.PinAsync(vm, s.Args[1], null, ct).ConfigureAwait(false)
                    : await tuner.NumaAsync(vm, int.Parse(s.Args[1], CultureInfo.InvariantCulture), ct).ConfigureAwait(false));
                rev.Add($"undo {s}", async c =>
                {
                    if (before.CpuPin is { } pin) await tuner.PinAsync(vm, pin, before.NumaNode, c).ConfigureAwait(false);
                    else await tuner.UnpinAsync(vm, c).ConfigureAwait(false);
                });
                break;
        }
    }
}
