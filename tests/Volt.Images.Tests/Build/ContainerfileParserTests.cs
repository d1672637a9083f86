using Shouldly;
using Volt.Core.Errors;
using Volt.Images.Build.Containerfiles;
using Xunit;

namespace Volt.Images.Tests.Build;

public sealed class ContainerfileParserTests
{
    private static Containerfile Parse(string text) => ContainerfileParser.Parse(text, "Containerfile");

    private static ContainerfileException Bad(string text) => Should.Throw<ContainerfileException>(() => Parse(text));

    [Fact]
    public void Continuations_JoinLines_AndDropCommentLinesInside()
    {
        var cf = Parse("FROM base\nRUN apt-get update && \\\n# a comment inside\n    apt-get install -y gcc\nCMD [\"/bin/sh\"]\n");
        var run = cf.Stages[0].Instructions[0];
        run.Keyword.ShouldBe("RUN");
        run.Line.ShouldBe(2);
        run.Args.ShouldBe("apt-get update &&     apt-get install -y gcc");
        cf.Stages[0].Instructions[1].Json.ShouldBe(["/bin/sh"]);
    }

    [Fact]
    public void EscapeDirective_Backtick_ContinuesLines_AndKeepsBackslashes()
    {
        var cf = Parse("# escape=`\nFROM base\nCOPY c:\\src `\n  c:\\dst\n");
        cf.Escape.ShouldBe('`');
        cf.Stages[0].Instructions[0].Args.ShouldBe("c:\\src   c:\\dst");
    }

    [Fact]
    public void DirectiveAfterAComment_IsJustAComment()
    {
        var cf = Parse("# hello\n# escape=`\nFROM base\nRUN a \\\n b\n");
        cf.Escape.ShouldBe('\\');
        cf.Stages[0].Instructions[0].Args.ShouldBe("a  b");
    }

    [Fact]
    public void ShellAndExecForms_AreTold()
    {
        var cf = Parse("FROM base\nRUN [\"make\", \"all\"]\nRUN [not json\nENTRYPOINT echo hi\n");
        var i = cf.Stages[0].Instructions;
        i[0].Json.ShouldBe(["make", "all"]);
        i[1].Json.ShouldBeNull();
        i[2].Json.ShouldBeNull();
    }

    [Fact]
    public void ArgsBeforeFrom_AreGlobal_AndStagesGetNames()
    {
        var cf = Parse("ARG BASE=debian\nARG V\nFROM ${BASE}:bookworm AS Build\nRUN make\nFROM scratch\nCOPY --from=build /out /out\n");
        cf.GlobalArgs.Count.ShouldBe(2);
        cf.Stages.Count.ShouldBe(2);
        cf.Stages[0].Name.ShouldBe("build");
        cf.Stages[0].BaseRaw.ShouldBe("${BASE}:bookworm");
        cf.Stages[1].Instructions[0].Flag("from").ShouldBe("build");
        cf.Target("build").Index.ShouldBe(0);
        cf.Target(null).Index.ShouldBe(1);
    }

    [Fact]
    public void Heredoc_BodyIsCollected_AndTheNextInstructionFollows()
    {
        var cf = Parse("FROM base\nRUN <<EOF\necho one\necho two\nEOF\nRUN <<-'END' cat\n\tliteral $X\n\tEND\nCMD x\n");
        var i = cf.Stages[0].Instructions;
        i.Count.ShouldBe(3);
        i[0].Heredocs.Single().Body.ShouldBe("echo one\necho two\n");
        i[1].Heredocs.Single().Expand.ShouldBeFalse();
        i[1].Heredocs.Single().Body.ShouldBe("literal $X\n");
        i[2].Keyword.ShouldBe("CMD");
    }

    [Fact]
    public void Keywords_AreCaseInsensitive()
    {
        Parse("from base\nrun true\n").Stages[0].Instructions[0].Keyword.ShouldBe("RUN");
    }

    [Theory]
    [InlineData("FROM base\nFROBNICATE x\n", 2, "FROBNICATE", "unknown instruction")]
    [InlineData("RUN true\nFROM base\n", 1, "RUN", "only ARG may come before the first FROM")]
    [InlineData("FROM base AS\n", 1, "FROM", "expected FROM IMAGE [AS NAME]")]
    [InlineData("FROM base\nSHELL /bin/bash -c\n", 2, "SHELL", "JSON form")]
    [InlineData("FROM base\nRUN --mount=type=cache,target=/x true\n", 2, "RUN", "--mount is not supported")]
    [InlineData("FROM base\nCOPY onlyone\n", 2, "COPY", "source and a destination")]
    [InlineData("FROM base\nENV ALONE\n", 2, "ENV", "needs a value")]
    [InlineData("FROM base\nCOPY --chmod=rwx a b\n", 2, "COPY", "octal")]
    [InlineData("FROM base\nHEALTHCHECK --interval=often CMD true\n", 2, "HEALTHCHECK", "duration")]
    [InlineData("FROM base\nRUN <<EOF\necho\n", 2, "RUN", "not terminated")]
    [InlineData("FROM base\nONBUILD FROM x\n", 2, "ONBUILD", "not allowed")]
    [InlineData("FROM a AS x\nFROM b AS x\n", 2, "FROM", "duplicate stage name")]
    [InlineData("# only a comment\n", 0, "FROM", "no FROM")]
    public void SyntaxErrors_Exit12_WithFileLineAndInstruction(string text, int line, string instruction, string problem)
    {
        var e = Bad(text);
        e.Code.ShouldBe(ExitCode.InvalidConfig);
        e.Line.ShouldBe(line);
        e.Instruction.ShouldBe(instruction);
        e.Message.ShouldContain(problem);
        if (line > 0) e.Message.ShouldStartWith($"Containerfile:{line}: {instruction}: ");
    }

    [Fact]
    public void DurationsParse_AsGoDurations()
    {
        ContainerfileParser.Duration("1m30s").ShouldBe(TimeSpan.FromSeconds(90));
        ContainerfileParser.Duration("500ms").ShouldBe(TimeSpan.FromMilliseconds(500));
        ContainerfileParser.Duration("soon").ShouldBeNull();
    }
}
