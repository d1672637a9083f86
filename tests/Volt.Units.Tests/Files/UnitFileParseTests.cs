using Shouldly;
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
