using Volt.Core.Config;
using Volt.Core.Errors;
using Volt.Registry.Hosting;

namespace Volt.Commands.Registry;

/// <summary>Checks the values of the registry commands' options (exit 2 naming the option) and of <c>registry.*</c> (exit 12).</summary>
internal static class RegistryOptionValues
{
    /// <summary>Longest token lifetime: ten years (a longer one is a typo, and overflows the clock's range soon after).</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(3650);

    /// <summary>A positive duration no longer than <paramref name="max"/>.</summary>
    public static TimeSpan Duration(string text, string option, TimeSpan max)
    {
        TimeSpan value;
        try { value = DurationParser.Parse(text, option); }
        catch (Exception e) when (e is OverflowException or ArgumentException)
        {
            throw VoltException.Usage($"{option} \"{text}\" is too long: at most {max.TotalDays:0} days");
        }
        if (value <= TimeSpan.Zero) throw VoltException.Usage($"{option} \"{text}\" must be positive");
        if (value > max) throw VoltException.Usage($"{option} \"{text}\" is too long: at most {max.TotalDays:0} days");
        return value;
    }

    /// <summary>The config section the server uses: a zero or negative upload expiry would drop every session at once.</summary>
    public static void CheckConfig(RegistryConfig c)
    {
        if (c.Port is < 0 or > 65535) throw new VoltException(ExitCode.InvalidConfig, $"registry.port {c.Port} is out of range: expected 0-65535");
        if (c.UploadExpiry <= TimeSpan.Zero)
            throw new VoltException(ExitCode.InvalidConfig, $"registry.upload_expiry must be positive, not {c.UploadExpiry}");
    }
}
