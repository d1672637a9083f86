using System.Globalization;
using Volt.Compose.Model;

namespace Volt.Compose.Parsing;

internal static partial class ServiceParser
{
    /// <summary>
    /// Short <c>[HOST_IP:][HOST[-HOST]:]CONTAINER[-CONTAINER][/PROTO]</c> (a number alone too) or the long form
    /// (<c>target</c>, <c>published</c>, <c>host_ip</c>, <c>protocol</c>, <c>mode</c>); ranges expand to one port each.
    /// </summary>
    internal static IEnumerable<PortSpec> Ports(Node v)
    {
        if (v.IsMap) return [LongPort(v)];
        var s = v.String();
        var proto = "tcp";
        var slash = s.LastIndexOf('/');
        if (slash >= 0) { proto = s[(slash + 1)..]; s = s[..slash]; }
        if (proto is not ("tcp" or "udp")) throw v.Error($"protocol must be tcp or udp, not \"{proto}\"");
        string? hostIp = null;
        // An IPv6 host address is bracketed: [::1]:8080:80.
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0) throw v.Error($"\"{v.String()}\": unclosed '['");
            hostIp = s[1..close];
            s = s[(close + 1)..].TrimStart(':');
        }
        var parts = s.Split(':');
        if (hostIp is null && parts.Length == 3) { hostIp = parts[0]; parts = parts[1..]; }
        if (parts.Length > 2) throw v.Error($"\"{v.String()}\" is not [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]");
        if (hostIp is { Length: > 0 } && !System.Net.IPAddress.TryParse(hostIp, out _)) throw v.Error($"\"{hostIp}\" is not an IP address");
        var (t0, t1) = Range(v, parts[^1]);
        (int, int)? published = parts.Length == 2 && parts[0].Length > 0 ? Range(v, parts[0]) : null;
        var count = t1 - t0 + 1;
        if (published is var (p0, p1) && p1 - p0 + 1 != count && p0 != p1)
            throw v.Error($"\"{v.String()}\": the host range and the container range differ in length");
        return Enumerable.Range(0, count).Select(i => new PortSpec(t0 + i,
            published is var (a, b) ? (a == b && count > 1 ? a : a + i) : null, proto, hostIp is { Length: > 0 } ? hostIp : null)).ToList();
    }

    private static (int, int) Range(Node v, string text)
    {
        var dash = text.IndexOf('-');
        var (a, b) = dash < 0 ? (text, text) : (text[..dash], text[(dash + 1)..]);
        if (!int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var lo) || !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var hi)
            || lo is < 1 or > 65535 || hi is < 1 or > 65535 || hi < lo)
            throw v.Error($"\"{text}\" is not a port (1-65535) or a port range (LOW-HIGH)");
        return (lo, hi);
    }

    private static PortSpec LongPort(Node v)
    {
        int? target = null, published = null;
        string proto = "tcp", mode = "ingress";
        string? hostIp = null;
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "target": target = e.Int(1, 65535); break;
                case "published":
                    var s = e.String();
                    if (s.Length > 0) published = Range(e, s) is var (lo, hi) && lo == hi ? lo : throw e.Error("a range is not supported in the long syntax here");
                    break;
                case "host_ip": hostIp = e.String(); if (!System.Net.IPAddress.TryParse(hostIp, out _)) throw e.Error($"\"{hostIp}\" is not an IP address"); break;
                case "protocol": proto = e.String() is "tcp" or "udp" ? e.String() : throw e.Error("must be tcp or udp"); break;
                case "mode": mode = e.String() is "ingress" or "host" ? e.String() : throw e.Error("must be ingress or host"); break;
                case "name" or "app_protocol": e.String(); break;
                default: throw Node.Unknown(k, key, ["target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"]);
            }
        return new PortSpec(target ?? throw v.Error("needs target:"), published, proto, hostIp, mode);
    }

    /// <summary>Short <c>SOURCE:TARGET[:ro|rw,…]</c> / <c>TARGET</c>, or the long form (<c>type</c>, <c>source</c>, <c>target</c>, …).</summary>
    internal static MountSpec Mount(Node v, string baseDir)
    {
        if (v.IsMap) return LongMount(v, baseDir);
        var s = v.String();
        var parts = s.Split(':');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0)) throw v.Error($"\"{s}\" is not [SOURCE:]TARGET[:MODE]");
        if (parts.Length == 1) return new MountSpec("volume", null, Target(v, parts[0]), false);
        var ro = false;
        if (parts.Length == 3)
            foreach (var opt in parts[2].Split(','))
                switch (opt)
                {
                    case "ro": ro = true; break;
                    case "rw" or "z" or "Z" or "cached" or "delegated" or "consistent" or "nocopy" or "shared" or "slave" or "private" or "rshared" or "rslave" or "rprivate": break;
                    default: throw v.Error($"unknown mount option \"{opt}\" (expected ro, rw, z, Z, …)");
                }
        var source = parts[0];
        var target = Target(v, parts[1]);
        if (IsPath(source)) return new MountSpec("bind", HostPath(source, baseDir), target, ro);
        return new MountSpec("volume", VolumeName(v, source), target, ro);
    }

    private static bool IsPath(string s) => s.StartsWith('/') || s.StartsWith('.') || s.StartsWith('~');

    private static string HostPath(string s, string baseDir) =>
        s.StartsWith('~') ? Path.GetFullPath(Environment.GetEnvironmentVariable("HOME") + s[1..]) : Path.GetFullPath(s, baseDir);

    private static string Target(Node v, string t) => t.StartsWith('/') ? t : throw v.Error($"the container path \"{t}\" must be absolute");

    private static string VolumeName(Node v, string s) =>
        s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') && char.IsAsciiLetterOrDigit(s[0]) ? s : throw v.Error($"\"{s}\" is not a volume name or a path (paths start with /, . or ~)");

    private static MountSpec LongMount(Node v, string baseDir)
    {
        string? type = null, source = null, target = null;
        var ro = false;
        var create = true;
        long? size = null;
        string? mode = null;
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "type": type = e.String(); break;
                case "source": source = e.String(); break;
                case "target": target = Target(e, e.String()); break;
                case "read_only": ro = e.Bool(); break;
                case "consistency": e.String(); break;
                case "bind":
                    foreach (var (bk, bkn, b) in e.Map())
                        switch (bk)
                        {
                            case "create_host_path": create = b.Bool(); break;
                            case "propagation" or "selinux": b.String(); break;
                            default: throw Node.Unknown(bkn, bk, ["create_host_path", "propagation", "selinux"]);
                        }
                    break;
                case "volume":
                    foreach (var (bk, bkn, b) in e.Map())
                        if (bk is "nocopy") b.Bool(); else if (bk is "subpath") b.String(); else throw Node.Unknown(bkn, bk, ["nocopy", "subpath"]);
                    break;
                case "tmpfs":
                    foreach (var (bk, bkn, b) in e.Map())
                        if (bk is "size") size = b.Bytes(); else if (bk is "mode") mode = TmpfsMode(b, b.String()); else throw Node.Unknown(bkn, bk, ["size", "mode"]);
                    break;
                default: throw Node.Unknown(k, key, ["type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs"]);
            }
        if (target is null) throw v.Error("needs target:");
        return type switch
        {
            "bind" => new MountSpec("bind", HostPath(source ?? throw v.Error("a bind mount needs source:"), baseDir), target, ro, create),
            "volume" => new MountSpec("volume", source is null or "" ? null : VolumeName(v, source), target, ro),
            "tmpfs" => new MountSpec("tmpfs", null, target, ro, TmpfsSize: size, TmpfsMode: mode),
            null => throw v.Error("needs type: (bind, volume or tmpfs)"),
            _ => throw v.Error($"type must be bind, volume or tmpfs, not \"{type}\""),
        };
    }

    /// <summary>
    /// A <c>tmpfs:</c> entry: <c>/PATH[:OPTION,…]</c> with the options tmpfs itself takes, <c>size=SIZE</c> and
    /// <c>mode=OCTAL</c> (<c>ro</c>/<c>rw</c> too); anything else (<c>noexec</c>, <c>uid=</c>…) is refused, not dropped.
    /// </summary>
    internal static MountSpec ShortTmpfs(Node v, string text)
    {
        var colon = text.IndexOf(':');
        var target = Target(v, colon < 0 ? text : text[..colon]);
        long? size = null;
        string? mode = null;
        var ro = false;
        if (colon >= 0)
            foreach (var opt in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = opt.IndexOf('=');
                var (name, value) = eq < 0 ? (opt, "") : (opt[..eq], opt[(eq + 1)..]);
                switch (name)
                {
                    case "size" when eq > 0: size = v.Bytes(value); break;
                    case "mode" when eq > 0: mode = TmpfsMode(v, value); break;
                    case "ro" when eq < 0: ro = true; break;
                    case "rw" when eq < 0: ro = false; break;
                    default: throw v.Error($"tmpfs option \"{opt}\" is not supported (size=SIZE, mode=OCTAL, ro, rw)");
                }
            }
        return new MountSpec("tmpfs", null, target, ro, TmpfsSize: size, TmpfsMode: mode);
    }

    private static string TmpfsMode(Node v, string s) =>
        s.Length is > 0 and <= 4 && s.All(c => c is >= '0' and <= '7') ? s : throw v.Error($"tmpfs mode must be octal such as 1777, not \"{s}\"");

    /// <summary><c>configs:</c>/<c>secrets:</c> in a service: a name, or <c>{source, target, mode, uid, gid}</c>.</summary>
    private static FileMountSpec FileMount(Node v)
    {
        if (v.IsScalar) return new FileMountSpec(v.String(), null);
        string? source = null, target = null, mode = null;
        foreach (var (key, k, e) in v.Map())
            switch (key)
            {
                case "source": source = e.String(); break;
                case "target": target = e.String(); break;
                case "mode": mode = e.String(); break;
                case "uid" or "gid": e.String(); break;
                default: throw Node.Unknown(k, key, ["source", "target", "mode", "uid", "gid"]);
            }
        return new FileMountSpec(source ?? throw v.Error("needs source:"), target, mode);
    }
}
