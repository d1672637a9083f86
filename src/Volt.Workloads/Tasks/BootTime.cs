using System.Globalization;

namespace Volt.Workloads.Tasks;

/// <summary>When the host booted (<c>btime</c> in <c>/proc/stat</c>): what <c>OnBootSec=</c> counts from.</summary>
public static class BootTime
{
    private static DateTimeOffset? _cached;

    public static DateTimeOffset Get() => _cached ??= Read();

    private static DateTimeOffset Read()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/stat"))
                if (line.StartsWith("btime ", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                    return DateTimeOffset.FromUnixTimeSeconds(s);
        }
        catch (IOException) { }
        return DateTimeOffset.UnixEpoch;
    }
}
