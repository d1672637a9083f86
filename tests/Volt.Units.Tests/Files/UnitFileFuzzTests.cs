using System.Text;
using Shouldly;
using Xunit;

namespace Volt.Units.Tests.Files;

/// <summary>Random input either parses or fails with a located <see cref="UnitFileException"/>; no other exception escapes.</summary>
public sealed class UnitFileFuzzTests
{
    private static readonly string[] Pieces =
    [
        "[Service]", "[Unit]", "[Timer]", "[", "]", "=", "\\", "\n", " ", "\t", "#", ";", "\"", "'", "%", "%%", "$", "$$", "-",
        "ExecStart", "Environment", "OnCalendar", "MemoryMax", "TimeoutStopSec", "Restart", "User", "/bin/sh", "\\x4", "\\u12",
        "\\\n", "*:0/15", "daily", "always", "256M", "5min", "A=b", "\0", "\r", "é", "..", "~",
    ];

    [Fact]
    public void RandomLines_ParseOrFailWithUnitFileException()
    {
        var random = new Random(1234);
        for (var round = 0; round < 3000; round++)
        {
            var sb = new StringBuilder();
            var n = random.Next(1, 30);
            for (var i = 0; i < n; i++) sb.Append(Pieces[random.Next(Pieces.Length)]);
            Exercise(sb.ToString(), round % 2 == 0 ? "f.service" : "f.timer");
        }
    }

    [Fact]
    public void RandomBytes_ParseOrFailWithUnitFileException()
    {
        var random = new Random(99);
        using var dir = new Volt.Testing.TempDir();
        for (var round = 0; round < 500; round++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            var path = dir.Write("r.service", bytes);
            try { Views(UnitFile.Load(path)); }
            catch (UnitFileException e) { e.Line.ShouldBeGreaterThan(0); }
        }
    }

    private static void Exercise(string text, string path)
    {
        UnitFile unit;
        try { unit = UnitFile.Parse(text, path); }
        catch (UnitFileException e)
        {
            e.Line.ShouldBeGreaterThan(0);
            e.Column.ShouldBeGreaterThan(0);
            return;
        }
        UnitFile.Parse(unit.Render(), path).Render().ShouldBe(unit.Render(), "a parsed unit renders to text that parses to the same unit");
        try { Views(unit); }
        catch (UnitFileException e)
        {
            e.Line.ShouldBeGreaterThan(0);
            e.Column.ShouldBeGreaterThan(0);
        }
    }

    /// <summary>The typed views run over whatever parsed, so their value parsers are fuzzed too.</summary>
    private static void Views(UnitFile unit)
    {
        if (unit.HasSection("Service")) ServiceUnit.From(unit);
        if (unit.HasSection("Timer")) TimerUnit.From(unit);
    }
}
