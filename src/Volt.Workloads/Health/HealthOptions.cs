using System.Globalization;
using Volt.Core.Errors;
using Volt.Workloads.Containers;

namespace Volt.Workloads.Health;

/// <summary>
/// <c>--health-cmd/--health-interval/--health-timeout/--health-start-period/--health-retries/--no-healthcheck</c> over
/// the image's <c>Healthcheck</c>, as Docker combines them: each flag replaces one field, <c>--health-cmd</c> the test
/// (as <c>CMD-SHELL</c>); <c>--no-healthcheck</c> removes the check and goes with no other <c>--health-*</c> flag.
/// </summary>
public static class HealthOptions
{
    public static HealthcheckConfig? Merge(CreateRequest r, HealthcheckConfig? image)
    {
        var any = r.HealthCmd is not null || r.HealthInterval is not null || r.HealthTimeout is not null
            || r.HealthStartPeriod is not null || r.HealthRetries is not null;
        if (r.NoHealthcheck)
            return any ? throw VoltException.Usage("--no-healthcheck conflicts with --health-* options") : null;
        var errors = new List<string>();
        double? Seconds(string? text, string option, bool allowZero)
        {
            if (text is null) return null;
            try
            {
                var d = Core.Config.DurationParser.Parse(text, option);
                if (d < TimeSpan.FromMilliseconds(allowZero ? 0 : 1)) throw VoltException.Usage($"invalid {option} \"{text}\": must be at least 1ms");
                return d.TotalSeconds;
            }
            catch (VoltException e) { errors.Add(e.Message); return null; }
        }
        var interval = Seconds(r.HealthInterval, "--health-interval", false);
        var timeout = Seconds(r.HealthTimeout, "--health-timeout", false);
        var start = Seconds(r.HealthStartPeriod, "--health-start-period", true);
        int? retries = null;
        if (r.HealthRetries is { } rt)
        {
            if (int.TryParse(rt, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) retries = n;
            else errors.Add($"invalid --health-retries \"{rt}\": expected a positive number");
        }
        if (r.HealthCmd is { Length: 0 }) errors.Add("--health-cmd needs a command");
        if (errors.Count > 0) throw VoltException.Usage(string.Join("; ", errors));
        var test = r.HealthCmd is { } cmd ? ["CMD-SHELL", cmd] : image?.Test;
        if (test is null || test.Count == 0) return null;
        var b = image ?? new HealthcheckConfig();
        return b with
        {
            Test = test, IntervalSeconds = interval ?? b.IntervalSeconds, TimeoutSeconds = timeout ?? b.TimeoutSeconds,
            StartPeriodSeconds = start ?? b.StartPeriodSeconds, Retries = retries ?? b.Retries,
        };
    }
}
