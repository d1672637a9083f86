using Shouldly;
using Volt.Testing;
using Volt.Core.Errors;
using Xunit;

namespace Volt.Units.Tests.Files;

public sealed class UnitFileParseTests
{
    [Fact]
    public void Parse_KeepsSectionsDirectivesAndPositions()
    {
        var unit = UnitFile.Parse("# head\n[Unit]\nDescription = Web  \n\n[Service]\n  ExecStart=/bin/sleep 1\n", "web.service");
        unit.Preamble.ShouldHaveSingleItem().Text.ShouldBe("# head");
        unit.Sections.Select(s => s.Name).ShouldBe(["Unit", "Service"]);
        var d = unit.Last("Service", "ExecStart").ShouldNotBeNull();
        (d.Value, d.Line, d.Column, d.ValueColumn).ShouldBe(("/bin/sleep 1", 6, 3, 13));
        unit.Last("Unit", "Description")!.Value.ShouldBe("Web");
    }

    [Fact]
    public void Parse_UnsupportedDirective_NamesFileLineColumnAndTheSupportedSet()
    {
        var e = Should.Throw<UnitFileException>(() => UnitFile.Parse("[Service]\nExecStart=/bin/true\n  ProtectSystem=strict\n", "/u/web.service"));
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Message.ShouldStartWith("/u/web.service:3:3: unsupported directive ProtectSystem= in [Service] (voltd implements: Type=, ExecStart=");
    }
}

public sealed class UnitFileSyntaxTests
{
    private static UnitFile P(string text, string path = "x.service") => UnitFile.Parse(text, path);

    private static UnitFileException Fails(string text, string path = "x.service") => Should.Throw<UnitFileException>(() => P(text, path));

    [Fact]
    public void TrailingBackslash_JoinsTheNextLineWithASpace_SkippingCommentLines()
    {
        var unit = P("[Service]\nExecStart=/bin/echo one \\\n# not part of it\n  two\\\n three\n");
        var d = unit.Last("Service", "ExecStart")!;
        d.Value.ShouldBe("/bin/echo one    two  three");
        d.Line.ShouldBe(2);
    }

    [Fact]
    public void DoubledTrailingBackslash_IsALiteralBackslash_NotAContinuation()
    {
        var unit = P("[Unit]\nDescription=ends in \\\\\nAfter=a.target\n");
        unit.Last("Unit", "Description")!.Value.ShouldBe("ends in \\\\");
        unit.Last("Unit", "After")!.Value.ShouldBe("a.target");
    }

    [Fact]
    public void HashAndSemicolonComments_AreKeptInTheirSectionAndRendered()
    {
        var text = "# top\n; also top\n[Unit]\n# about the unit\nDescription=x\n\n[Service]\n; why\nExecStart=/bin/true\n";
        var unit = P(text);
        unit.Preamble.Select(c => c.Text).ShouldBe(["# top", "; also top"]);
        unit.Sections[0].Entries[0].ShouldBeOfType<UnitComment>().Text.ShouldBe("# about the unit");
        unit.Render().ShouldBe(text);
    }

    [Fact]
    public void Render_OfAParsedUnit_ParsesToTheSameText()
    {
        var unit = P("[Unit]\r\n  Description =  spaced out  \r\n[Service]\nExecStart=/bin/sh -c \"echo a\\\n b\"\nEnvironment=A=1\nEnvironment=\n");
        var again = UnitFile.Parse(unit.Render(), unit.Path);
        again.Render().ShouldBe(unit.Render());
        unit.Render().ShouldBe("[Unit]\nDescription=spaced out\n\n[Service]\nExecStart=/bin/sh -c \"echo a  b\"\nEnvironment=A=1\nEnvironment=\n");
    }

    [Fact]
    public void DuplicateSections_AreKeptAndSearchedInOrder()
    {
        var unit = P("[Unit]\nAfter=a.target\n[Unit]\nAfter=b.target\n[Service]\nExecStart=/bin/true\n");
        unit.All("Unit", "After").Select(d => d.Value).ShouldBe(["a.target", "b.target"]);
        unit.Last("Unit", "After")!.Line.ShouldBe(4);
    }

    [Theory]
    [InlineData("Description=x\n", "x.service:1:1: Description= outside of any section")]
    [InlineData("[Unit]\n  just words\n", "x.service:2:3: missing '=' in \"just words\"")]
    [InlineData("[Unit]\n=value\n", "x.service:2:1: missing directive name before '='")]
    [InlineData("[Unit\n", "x.service:1:1: invalid section header (expected [Name])")]
    [InlineData("[Un it]\n", "x.service:1:1: invalid section header [Un it]")]
    [InlineData("[Unit]\nDescription=a\0b\n", "x.service:2:14: NUL character in unit file")]
    [InlineData("[Timer]\nOnCalendar=daily\n", "x.service:1:1: unsupported section [Timer] (voltd implements: [Unit], [Service], [Install])")]
    [InlineData("[X-Custom]\nA=b\n", "x.service:1:1: unsupported section [X-Custom] (voltd implements: [Unit], [Service], [Install])")]
    [InlineData("[Unit]\nConditionPathExists=/x\n", "x.service:2:1: unsupported directive ConditionPathExists= in [Unit] (voltd implements: Description=, Documentation=, After=, Before=, Wants=, Requires=, Requisite=, PartOf=)")]
    [InlineData("[Install]\n\tAlias=y.service\n", "x.service:2:2: unsupported directive Alias= in [Install] (voltd implements: WantedBy=)")]
    public void SyntaxErrors_NameTheFileLineAndColumn(string text, string message) => Fails(text).Message.ShouldBe(message);

    [Fact]
    public void SectionsFollowTheUnitType()
    {
        P("[Timer]\nOnCalendar=daily\n", "t.timer").HasSection("Timer").ShouldBeTrue();
        P("[Socket]\nListenStream=/run/volt.sock\n", "volt.socket").HasSection("Socket").ShouldBeTrue();
        Fails("[Service]\nExecStart=/bin/true\n", "t.timer").Message.ShouldStartWith("t.timer:1:1: unsupported section [Service]");
    }

    [Fact]
    public void Load_RefusesInvalidUtf8_WithALocation()
    {
        using var dir = new Volt.Testing.TempDir();
        var path = dir.Write("bad.service", [(byte)'[', (byte)'U', 0xff, (byte)']']);
        Should.Throw<UnitFileException>(() => UnitFile.Load(path)).Message.ShouldBe($"{path}:1:1: not valid UTF-8");
    }

    [Fact]
    public void Load_MissingFile_IsNotFound()
    {
        var e = Should.Throw<VoltException>(() => UnitFile.Load("/nonexistent/volt/x.service"));
        e.Code.ShouldBe(ExitCode.NotFound);
    }
}
