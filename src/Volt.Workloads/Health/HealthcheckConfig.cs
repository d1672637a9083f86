using System.Text.Json.Serialization;

namespace Volt.Workloads.Health;

/// <summary>
/// A container's health check, Docker's model: <c>Test</c> is <c>["CMD", arg…]</c> (run as is) or
/// <c>["CMD-SHELL", "cmd"]</c> (run by <c>/bin/sh -c</c>); a check passes with exit 0. <see cref="Retries"/>
/// consecutive failures after <see cref="StartPeriod"/> make the container unhealthy.
/// </summary>
public sealed record HealthcheckConfig
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30), DefaultTimeout = TimeSpan.FromSeconds(30);
    public const int DefaultRetries = 3;

    public IReadOnlyList<string> Test { get; init; } = [];
    [JsonPropertyName("interval_seconds")] public double IntervalSeconds { get; init; } = DefaultInterval.TotalSeconds;
    [JsonPropertyName("timeout_seconds")] public double TimeoutSeconds { get; init; } = DefaultTimeout.TotalSeconds;
    [JsonPropertyName("start_period_seconds")] public double StartPeriodSeconds { get; init; }
    public int Retries { get; init; } = DefaultRetries;

    [JsonIgnore] public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);
    [JsonIgnore] public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
    [JsonIgnore] public TimeSpan StartPeriod => TimeSpan.FromSeconds(StartPeriodSeconds);

    /// <summary>
    /// How often the supervisor also probes while the container is still <c>starting</c> (no success yet): a tenth of
    /// the interval, at least 100 ms. Those extra probes can only make it healthy sooner; their failures are not
    /// counted (only the interval's are), so <c>retries</c> and <c>start_period</c> keep Docker's meaning.
    /// </summary>
    [JsonIgnore] public TimeSpan StartingProbe => TimeSpan.FromTicks(Math.Min(Interval.Ticks, Math.Max(TimeSpan.FromMilliseconds(100).Ticks, Interval.Ticks / 10)));

    /// <summary>The command line the check runs inside the container.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Command => Test switch
    {
        ["CMD-SHELL", var shell] => ["/bin/sh", "-c", shell],
        ["CMD", ..] => [.. Test.Skip(1)],
        _ => [],
    };

    /// <summary>
    /// An image config's <c>Healthcheck</c> (durations in nanoseconds, 0 = the default); null for none, <c>["NONE"]</c>
    /// or an unknown test form.
    /// </summary>
    public static HealthcheckConfig? FromImage(IReadOnlyList<string>? test, long intervalNs, long timeoutNs, long startPeriodNs, int retries)
    {
        if (test is not ([ "CMD-SHELL", _ ] or [ "CMD", _, .. ])) return null;
        static double Seconds(long ns, TimeSpan fallback) => ns > 0 ? ns / 1e9 : fallback.TotalSeconds;
        return new HealthcheckConfig
        {
            Test = test, IntervalSeconds = Seconds(intervalNs, DefaultInterval), TimeoutSeconds = Seconds(timeoutNs, DefaultTimeout),
            StartPeriodSeconds = Seconds(startPeriodNs, TimeSpan.Zero), Retries = retries > 0 ? retries : DefaultRetries,
        };
    }
}
