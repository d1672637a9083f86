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

    /// <summary>
    /// <c>/PATH[:OPTION,…]</c> with tmpfs's own options (<c>size=N[k|m|g]</c>, <c>mode=OCTAL</c>, <c>ro</c>, <c>rw</c>):
    /// nspawn hands the options to mount(2), where anything else would fail at start rather than at create.
    /// </summary>
    public static string Tmpfs(string spec)
    {
        var colon = spec.IndexOf(':');
        var path = colon < 0 ? spec : spec[..colon];
        if (!path.StartsWith('/') || path.Contains("..", StringComparison.Ordinal) || path.Any(char.IsWhiteSpace))
            throw VoltException.Usage($"invalid --tmpfs \"{spec}\": expected /CONTAINER/PATH[:size=SIZE,mode=OCTAL]");
        if (colon < 0) return spec;
        foreach (var opt in spec[(colon + 1)..].Split(','))
        {
            var ok = opt is "ro" or "rw"
                || (opt.StartsWith("mode=", StringComparison.Ordinal) && opt.Length is > 5 and <= 9 && opt[5..].All(c => c is >= '0' and <= '7'))
                || (opt.StartsWith("size=", StringComparison.Ordinal) && opt.Length > 5 && opt[5..].TrimEnd('k', 'm', 'g', '%').Length > 0
                    && opt[5..].TrimEnd('k', 'm', 'g', '%').All(char.IsAsciiDigit));
            if (!ok) throw VoltException.Usage($"invalid --tmpfs \"{spec}\": option \"{opt}\" is not size=SIZE, mode=OCTAL, ro or rw");
        }
        return spec;
    }

    public static string Env(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq <= 0) throw VoltException.Usage($"invalid --env \"{spec}\": expected KEY=VALUE");
        Nspawn.NspawnSettings.Validate(spec);
        return spec;
    }

    public static string Publish(string spec)
    {
        var body = spec.Split('/');
        var ports = body[0].Split(':');
        // [IPV4:]HOST:CONTAINER: the address the port is published on only (127.0.0.1:8080:80).
        if (ports.Length == 3)
        {
            if (!System.Net.IPAddress.TryParse(ports[0], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || ports[0].Count(c => c == '.') != 3)
                throw VoltException.Usage($"invalid --publish \"{spec}\": \"{ports[0]}\" is not an IPv4 address");
            ports = ports[1..];
        }
        var ok = body.Length <= 2 && (body.Length == 1 || body[1] is "tcp" or "udp") && ports.Length == 2
            && ports.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65536);
        return ok ? spec : throw VoltException.Usage($"invalid --publish \"{spec}\": expected [IPV4:]HOSTPORT:CONTAINERPORT[/tcp|udp]");
    }
}
