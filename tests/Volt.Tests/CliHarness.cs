using Volt.Cli;
using Volt.Rendering;
using Volt.Testing;

namespace Volt.Tests;

/// <summary>Runs the CLI in memory against a private VOLT_ROOT and captures exit code and output.</summary>
public sealed class CliHarness : IDisposable
{
    public TempDir Dir { get; } = new("volt-cli");
    public Dictionary<string, string> Env { get; } = new();
    public string Root => Dir.Combine("root");

    public CliHarness()
    {
        Env["VOLT_ROOT"] = Root;
        Env["VOLT_COLOR"] = "never";
    }

    public CliResult Run(params string[] args)
    {
        var console = new TestConsole();
        var app = new VoltApp(console, VoltEnvironment.From(Env), TimeProvider.System);
        var code = app.Run(args);
        return new CliResult(code, console.StdOut, console.StdErr);
    }

    public CliResult Run(TestConsole console, params string[] args)
    {
        var code = new VoltApp(console, VoltEnvironment.From(Env), TimeProvider.System).Run(args);
        return new CliResult(code, console.StdOut, console.StdErr);
    }

    public void Dispose() => Dir.Dispose();
}

public sealed record CliResult(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}
