using System.Globalization;
using Volt.Core.Errors;

namespace Volt.Workloads.Containers;

/// <summary>Parses <c>--memory 1G</c>, <c>--cpu 200</c>, <c>--pids 100</c>; bad input is a usage error (exit 2).</summary>
public static class ResourceParser
{
    /// <summary>Bytes from <c>512</c>, <c>64k</c>, <c>256M</c>, <c>1G</c>, <c>1GiB</c>, <c>2T</c> (binary units).</summary>
    public static long Memory(string text)
    {
        var t = text.Trim();
        var i = 0;
        while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.')) i++;
        var unit = t[i..].Trim().ToUpperInvariant().TrimEnd('B').TrimEnd('I');
        long multiplier = unit switch
        {
            "" => 1, "K" => 1L << 10, "M" => 1L << 20, "G" => 1L << 30, "T" => 1L << 40,
            _ => 0,
        };
        if (i == 0 || multiplier == 0 || !double.TryParse(t[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0)
            throw VoltException.Usage($"invalid memory size \"{text}\": expected a number with an optional unit K, M, G or T (e.g. 512M, 1G)");
        var bytes = (long)(n * multiplier);
        return bytes >= 4096 ? bytes : throw VoltException.Usage($"invalid memory size \"{text}\": at least 4K");
    }

    /// <summary>Percent of one CPU: 100 = 1 CPU, 200 = 2 CPUs, 50 = half.</summary>
    public static int Cpu(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 100_000 ? v
        : throw VoltException.Usage($"invalid --cpu \"{text}\": expected a percentage of one CPU (100 = 1 CPU, 200 = 2 CPUs)");

    public static int Pids(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
        : throw VoltException.Usage($"invalid --pids \"{text}\": expected a positive number");

    public static RestartPolicy Restart(string text) => text switch
    {
        "no" => RestartPolicy.No,
        "on-failure" => RestartPolicy.OnFailure,
        "always" => RestartPolicy.Always,
        _ => throw VoltException.Usage($"invalid --restart \"{text}\": expected no, on-failure or always"),
    };

    public static UserNamespace Userns(string text) => text switch
    {
        "host" => UserNamespace.Host,
        "private" => UserNamespace.Private,
        _ => throw VoltException.Usage($"invalid --userns \"{text}\": expected host or private"),
    };

    public static VolumeMount Volume(string spec)
    {
        var parts = spec.Split(':');
        var ro = parts.Length == 3 && parts[2] is "ro";
        if (parts.Length is < 2 or > 3 || (parts.Length == 3 && parts[2] is not ("ro" or "rw"))
            || !Path.IsPathRooted(parts[0]) || !parts[1].StartsWith('/'))
            throw VoltException.Usage($"invalid --volume \"{spec}\": expected /HOST/PATH:/CONTAINER/PATH[:ro]");
        if (!Path.Exists(parts[0])) throw VoltException.NotFound($"volume source \"{parts[0]}\" does not exist");
        return new VolumeMount(parts[0], parts[1], ro);
    }

    public static string Env(string spec)
    {
        var eq = spec.IndexOf('=');
        return eq > 0 ? spec : throw VoltException.Usage($"invalid --env \"{spec}\": expected KEY=VALUE");
    }

    public static string Publish(string spec)
    {
        var body = spec.Split('/');
        var ports = body[0].Split(':');
        var ok = body.Length <= 2 && (body.Length == 1 || body[1] is "tcp" or "udp") && ports.Length == 2
            && ports.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65536);
        return ok ? spec : throw VoltException.Usage($"invalid --publish \"{spec}\": expected HOSTPORT:CONTAINERPORT[/tcp|udp]");
    }
}
