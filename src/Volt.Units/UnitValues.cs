using System.Globalization;

namespace Volt.Units;

/// <summary>The small value syntaxes of unit files: booleans, sizes, percentages, signals, exit statuses.</summary>
public static class UnitValues
{
    /// <summary>systemd's parse_boolean: 1/yes/y/true/t/on and 0/no/n/false/f/off, any case.</summary>
    public static bool Boolean(string text) => text.ToLowerInvariant() switch
    {
        "1" or "yes" or "y" or "true" or "t" or "on" => true,
        "0" or "no" or "n" or "false" or "f" or "off" => false,
        _ => throw new FormatException($"invalid boolean \"{text}\" (expected yes or no)"),
    };

    /// <summary>Bytes with an optional 1024-based suffix K, M, G, T, P, E (<c>256M</c>); null for <c>infinity</c>.</summary>
    public static long? Size(string text)
    {
        if (text == "infinity") return null;
        if (text.EndsWith('%')) throw new FormatException($"unsupported size \"{text}\": voltd takes bytes (256M), not a share of memory");
        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
        if (i == 0 || !decimal.TryParse(text.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            throw new FormatException($"invalid size \"{text}\" (expected bytes like 512M, 2G or infinity)");
        var suffix = text[i..].Trim();
        decimal factor = suffix switch
        {
            "" or "B" => 1, "K" => 1L << 10, "M" => 1L << 20, "G" => 1L << 30, "T" => 1L << 40, "P" => 1L << 50, "E" => 1L << 60,
            _ => throw new FormatException($"invalid size \"{text}\" (expected bytes like 512M, 2G or infinity)"),
        };
        var bytes = n * factor;
        if (bytes > long.MaxValue) throw new FormatException($"size \"{text}\" is too large");
        return (long)Math.Floor(bytes);
    }

    /// <summary><c>CPUQuota=50%</c> → 50 (may exceed 100 on several CPUs).</summary>
    public static int Percent(string text)
    {
        if (!text.EndsWith('%') || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p <= 0)
            throw new FormatException($"invalid percentage \"{text}\" (expected a whole number like 50%)");
        return p;
    }

    /// <summary>A positive count, or null for <c>infinity</c> (<c>TasksMax=</c>).</summary>
    public static int? Count(string text)
    {
        if (text == "infinity") return null;
        if (text.EndsWith('%')) throw new FormatException($"unsupported value \"{text}\": voltd takes a count, not a share of the system limit");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw new FormatException($"invalid count \"{text}\" (expected a positive number or infinity)");
        return n;
    }

    private static readonly (string Name, int Number)[] Signals =
    [
        ("SIGHUP", 1), ("SIGINT", 2), ("SIGQUIT", 3), ("SIGKILL", 9), ("SIGUSR1", 10), ("SIGUSR2", 12), ("SIGTERM", 15),
        ("SIGCONT", 18), ("SIGSTOP", 19), ("SIGWINCH", 28),
    ];

    /// <summary>A signal by name (<c>SIGTERM</c>, <c>TERM</c>) or number.</summary>
    public static int Signal(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65) return n;
        var name = text.StartsWith("SIG", StringComparison.Ordinal) ? text : "SIG" + text;
        foreach (var (s, number) in Signals) if (s == name) return number;
        throw new FormatException($"invalid signal \"{text}\" (voltd implements: {string.Join(", ", Signals.Select(s => s.Name))} or a number)");
    }

    public static string SignalName(int number) => Signals.FirstOrDefault(s => s.Number == number).Name ?? number.ToString(CultureInfo.InvariantCulture);
}
