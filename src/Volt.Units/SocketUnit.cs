using System.Globalization;

namespace Volt.Units;

/// <summary>
/// The <c>.socket</c> unit Volt writes for voltd's API (<c>volt.socket</c>): where systemd runs, it listens and starts
/// <c>volt.service</c> on demand; elsewhere the CLI starts voltd itself.
/// </summary>
public sealed record SocketUnit
{
    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>An absolute path (a unix socket) or a port / address:port.</summary>
    public required IReadOnlyList<string> ListenStream { get; init; }

    /// <summary>The unix socket's mode (systemd's default 0666).</summary>
    public int SocketMode { get; init; } = Convert.ToInt32("666", 8);
    public string? SocketUser { get; init; }
    public string? SocketGroup { get; init; }
    public IReadOnlyList<string> WantedBy { get; init; } = [];

    public static SocketUnit From(UnitFile unit)
    {
        var section = unit.Sections.FirstOrDefault(s => s.Name == "Socket")
            ?? throw new UnitFileException(unit.Path, 1, 1, "no [Socket] section");
        var s = new UnitReader(unit, "Socket");
        var listen = s.List("ListenStream", v => new[] { Listen(v) });
        if (listen.Count == 0) throw new UnitFileException(unit.Path, section.Line, 1, "[Socket] has no ListenStream=");
        return new SocketUnit
        {
            Name = unit.Name,
            Description = new UnitReader(unit, "Unit").Text("Description"),
            ListenStream = listen,
            SocketMode = s.One("SocketMode", v => (int?)Mode(v)) ?? Convert.ToInt32("666", 8),
            SocketUser = s.Text("SocketUser"),
            SocketGroup = s.Text("SocketGroup"),
            WantedBy = new UnitReader(unit, "Install").Names("WantedBy"),
        };
    }

    private static string Listen(string v)
    {
        var l = UnitSpecifiers.Expand(v);
        if (l.StartsWith('/')) return l;
        var port = l.LastIndexOf(':') is var c and >= 0 ? l[(c + 1)..] : l;
        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
            ? l : throw new FormatException($"\"{l}\" is neither an absolute socket path nor a port");
    }

    private static int Mode(string v)
    {
        if (v.Length is 0 or > 4 || v.Any(c => c is < '0' or > '7')) throw new FormatException($"invalid mode \"{v}\" (expected octal like 0660)");
        return Convert.ToInt32(v, 8);
    }
}
